"""The OpenAPI schema states the bounds the validators enforce: a client (or a fuzzer
generating from the schema) learns from it what is refused."""

from django.test import TestCase


class SchemaBoundsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.schema = None

    def setUp(self):
        if SchemaBoundsTests.schema is None:
            response = self.client.get("/api/schema/", {"format": "json"})
            SchemaBoundsTests.schema = response.json()
        self.components = SchemaBoundsTests.schema["components"]["schemas"]

    def field(self, component: str, name: str) -> dict:
        return self.components[component]["properties"][name]

    def test_sign_up_states_the_username_pattern_and_the_password_length(self):
        username = self.field("RegisterInput", "username")
        self.assertEqual((username["minLength"], username["pattern"]), (1, "^[A-Za-z0-9._-]+$"))
        self.assertEqual(self.field("RegisterInput", "password")["minLength"], 8)

    def test_credentials_may_not_be_empty(self):
        for name in ("username", "password"):
            self.assertEqual(self.field("TokenInput", name)["minLength"], 1)

    def test_accents_and_row_ids_state_what_is_accepted(self):
        self.assertEqual(self.field("VowelFeedbackInput", "accent")["minLength"], 1)
        self.assertEqual(self.field("TakeInput", "accent")["minLength"], 1)
        phoneme = self.field("VowelFeedbackInput", "phoneme")
        self.assertEqual((phoneme["pattern"], phoneme["minLength"]), ("^[0-9]{1,19}$", 1))

    def test_the_bounds_are_enforced_too(self):
        response = self.client.post(
            "/api/auth/register/",
            {"username": "lan", "password": "short"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("ít nhất 8", response.json()["password"][0])
