from . import blueprint
