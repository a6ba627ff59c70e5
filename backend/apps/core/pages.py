"""What every app's HTML pages share.

A page's query parameters are typed by hand (a link shared in a chat, a bookmark from an
older version) as often as by the page's own links, so a page does not answer a bad one with
an error as the API does (400 in JSON: a program sent it). It sends the reader to the same
URL without it, where leaving it out means what it always means (the default, or the
learner's own choice): the page they wanted, under an address that says what it shows.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect


def page_query_checked(name: str, *, check: Callable[[str], object]) -> Callable:
    """Decorator for a page view that reads ``?<name>=``. When the request gives ``name``
    empty, or with a value ``check`` refuses (by raising ``ValueError``), the answer is a
    302 to the same path with the other parameters as they were and ``name`` left out;
    otherwise the view runs, and every value of ``name`` it reads is one ``check`` took."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            values = request.GET.getlist(name)
            if values and not all(_accepted(value, check) for value in values):
                query = request.GET.copy()
                del query[name]
                encoded = query.urlencode()
                return HttpResponseRedirect(request.path + (f"?{encoded}" if encoded else ""))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _accepted(value: str, check: Callable[[str], object]) -> bool:
    if not value:
        return False
    try:
        check(value)
    except ValueError:
        return False
    return True
