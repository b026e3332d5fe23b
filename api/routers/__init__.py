"""One APIRouter per resource; `api.main` mounts them all under /api/v1.

Routers stay thin: they check access (`api.access`), call the domain modules and shape replies.
"""
