"""Browser tests that must see PhatAm's own /media/ view.

Django's live test server puts a media handler of its own in front of the project
(``django.test.testcases._MediaFilesHandler``, ``django.views.static.serve``): it serves any
file under MEDIA_ROOT with the type its name suggests, and the project's view is never asked.
These classes turn it off, so that the browser gets what a learner's browser would.
"""

from unittest import mock

from django.test import testcases


class ProjectMediaViewMixin:
    @classmethod
    def setUpClass(cls):
        cls._media_handler_off = mock.patch.object(
            testcases._MediaFilesHandler, "_should_handle", lambda self, path: False
        )
        cls._media_handler_off.start()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._media_handler_off.stop()
