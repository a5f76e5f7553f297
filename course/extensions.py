"""Flask extension instances, created once and bound in create_app."""
from flask_caching import Cache
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

cache = Cache()
migrate = Migrate()
csrf = CSRFProtect()
