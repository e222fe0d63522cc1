"""Entry point for `flask --app wsgi …` and for gunicorn (`gunicorn wsgi:app`)."""
import gc

# Loading the application makes some 180,000 objects that live as long as the process (create_app
# freezes them) and almost no garbage; the collector walked them again and again as they were made
# (261 passes, two of them full), a sixth of the loading time of every command and of gunicorn.
gc.disable()
try:
    from app import create_app

    app = create_app()
finally:
    gc.enable()
