"""Refusing oversized uploads while they stream in, before anything is stored.

``UploadLimitMiddleware`` answers 413 at once when the declared ``Content-Length`` is over
the limit, and otherwise puts :class:`SizeLimitUploadHandler` first in line, which stops
reading a multipart body the moment it passes the limit (then ``request.upload_too_large``
is set, and the view answers 413). Django deletes the partial temporary file.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, JsonResponse

# Room for the multipart envelope and the other form fields.
ENVELOPE_BYTES = 64 * 1024


def too_large_message() -> str:
    limit = settings.PHATAM_UPLOAD_MAX_BYTES
    size = f"{limit / 2**20:.3g} MB" if limit >= 2**20 else f"{limit / 2**10:.3g} KB"
    return f"The file is too large: the limit is {size}."


class SizeLimitUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.PHATAM_UPLOAD_MAX_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)  # read and drop the rest, store nothing
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.upload_too_large = False
        if request.content_type == "multipart/form-data":
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > settings.PHATAM_UPLOAD_MAX_BYTES + ENVELOPE_BYTES:
                return JsonResponse({"detail": too_large_message()}, status=413)
            request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
        return self.get_response(request)
