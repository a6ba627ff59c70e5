"""The OpenAPI schema states the bounds the validators enforce: a client (or a fuzzer
generating from the schema) learns from it what is refused."""

from django.test import TestCase

# What apps.core.api.database_id accepts: 1 to the largest 64-bit column value.
ROW_ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
# Query parameters that name a row by its id, besides "id" and "..._id".
ROW_ID_QUERY = {"phoneme", "lesson", "pair", "item", "rec"}
# Path parameters that are not row ids.
NOT_ROW_IDS = {"symbol", "token", "kind"}


def is_row_id(name: str) -> bool:
    return name == "id" or name.endswith("_id") or name in ROW_ID_QUERY


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
        self.assertEqual(self.field("VowelFeedbackInput", "phoneme"), ROW_ID)

    def test_every_row_id_parameter_is_a_positive_integer_within_64_bits(self):
        """Every path and query parameter of every operation: a new endpoint whose id is
        declared ``<str:pk>`` (a bare string) or a plain integer fails here."""
        checked = []
        for path, operations in self.schema["paths"].items():
            for method, operation in operations.items():
                for parameter in operation.get("parameters", []):
                    name, schema = parameter["name"], parameter["schema"]
                    where = f"{method.upper()} {path} {parameter['in']} {name}: {schema}"
                    if is_row_id(name):
                        checked.append(where)
                        self.assertEqual(schema, ROW_ID, where)
                    elif parameter["in"] == "path":
                        self.assertIn(name, NOT_ROW_IDS, f"an id? {where}")
                    elif schema.get("type") == "integer" and "enum" not in schema:
                        self.assertIn("minimum", schema, where)
        self.assertGreater(len(checked), 30)  # every endpoint with an id was seen

    def test_the_bounds_are_enforced_too(self):
        response = self.client.post(
            "/api/auth/register/",
            {"username": "lan", "password": "short"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("ít nhất 8", response.json()["password"][0])

    def test_row_ids_outside_the_schema_bounds_are_refused(self):
        for value in ("0", str(2**63)):
            with self.subTest(value):
                response = self.client.get("/api/minimal-pairs/", {"phoneme": value})
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn("not a phoneme id", response.json()["phoneme"][0])
        self.assertEqual(self.client.get("/api/minimal-pairs/", {"phoneme": "1"}).status_code, 404)
