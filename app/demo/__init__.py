"""The demo's data (`flask --app wsgi demo`): villages, invented people and the fiches action's
initiatives, written through the services as a real registration would be."""
