"""The web app for city staff: server-rendered Vietnamese pages over the audit service (``routes.py``), a signed
session cookie with CSRF protection (``session.py``), templates and the little JavaScript they need."""
