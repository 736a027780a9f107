"""The parts of samples/generate.py: :mod:`.layout` reads a parsed report as the parts of an administrative
document, :mod:`.word` writes those parts as a DOCX. Kept in this folder so that reading samples/ (e.g.
``./dev run``) meets report files, not code."""
