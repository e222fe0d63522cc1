"""What a reverse proxy (or a browser) may keep of the public pages.

The pages that anybody sees alike may be kept a few seconds by a proxy in front of several
servers, as long as the visitor sends no session (someone with a message to read, a form under
way, or signed in sees their own page): `Vary: Cookie` keeps those apart. Every other page of
this blueprint (a private link, a form) is never kept by a proxy, and a browser asks again.
"""
from flask import Response, request, session

from . import blueprint

SHARED_PAGES = frozenset({"public.home", "public.village", "public.initiatives_directory", "public.initiative_page"})
# Places left move with each registration: half a minute behind at most.
SHARED_FOR = "public, max-age=30, s-maxage=30"
NOT_SHARED = "private, no-cache"


@blueprint.after_request
def cache_headers(response: Response) -> Response:
    if "Cache-Control" in response.headers:  # the view decided (open data, documents, calendar)
        return response
    shared = (request.endpoint in SHARED_PAGES and request.method in ("GET", "HEAD") and response.status_code == 200
              and not session and not session.modified and "Set-Cookie" not in response.headers)
    response.headers["Cache-Control"] = SHARED_FOR if shared else NOT_SHARED
    response.vary.add("Cookie")
    return response
