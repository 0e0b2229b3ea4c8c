"""The AWS documentation pages the linter's findings link to (IAM User Guide first)."""

from __future__ import annotations

_UG = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"

GRAMMAR = _UG + "reference_policies_grammar.html"
ELEMENTS = _UG + "reference_policies_elements.html"
VERSION = _UG + "reference_policies_elements_version.html"
ID = _UG + "reference_policies_elements_id.html"
STATEMENT = _UG + "reference_policies_elements_statement.html"
SID = _UG + "reference_policies_elements_sid.html"
EFFECT = _UG + "reference_policies_elements_effect.html"
PRINCIPAL = _UG + "reference_policies_elements_principal.html"
PRINCIPAL_ACCOUNTS = PRINCIPAL + "#principal-accounts"
PRINCIPAL_SERVICES = PRINCIPAL + "#principal-services"
PRINCIPAL_ANONYMOUS = PRINCIPAL + "#principal-anonymous"
NOT_PRINCIPAL = _UG + "reference_policies_elements_notprincipal.html"
ACTION = _UG + "reference_policies_elements_action.html"
NOT_ACTION = _UG + "reference_policies_elements_notaction.html"
RESOURCE = _UG + "reference_policies_elements_resource.html"
NOT_RESOURCE = _UG + "reference_policies_elements_notresource.html"
CONDITION = _UG + "reference_policies_elements_condition.html"
OPERATORS = _UG + "reference_policies_elements_condition_operators.html"
IF_EXISTS = OPERATORS + "#Conditions_IfExists"
MULTIVALUED = _UG + "reference_policies_condition-single-vs-multi-valued-context-keys.html"
GLOBAL_KEYS = _UG + "reference_policies_condition-keys.html"
MFA_KEY = GLOBAL_KEYS + "#condition-keys-multifactorauthpresent"
VIA_AWS_SERVICE = GLOBAL_KEYS + "#condition-keys-viaawsservice"
ARNS = _UG + "reference-arns.html"
SERVICE_AUTHORIZATION = ("https://docs.aws.amazon.com/service-authorization/latest/reference/"
                         "reference_policies_actions-resources-contextkeys.html")
LEAST_PRIVILEGE = _UG + "best-practices.html#grant-least-privilege"
POLICY_CHECKS = _UG + "access-analyzer-reference-policy-checks.html"
CONFUSED_DEPUTY = _UG + "confused-deputy.html"
THIRD_PARTY = _UG + "id_roles_common-scenarios_third-party.html"
SAML = _UG + "id_roles_create_for-idp_saml.html"
OIDC = _UG + "id_roles_create_for-idp_oidc.html"
TRUST_TERMS = _UG + "id_roles.html#id_roles_terms-and-concepts"
PASS_ROLE = _UG + "id_roles_use_passrole.html"
QUOTAS = _UG + "reference_iam-quotas.html"
QUOTAS_CHARACTERS = QUOTAS + "#reference_iam-quotas-entity-length"
QUOTAS_NAMES = QUOTAS + "#reference_iam-quotas-names"
ORGANIZATIONS_QUOTAS = ("https://docs.aws.amazon.com/organizations/latest/userguide/"
                        "orgs_reference_limits.html")
ASSUME_ROLE_API = "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"

_ELEMENT_PAGES = {
    "Version": VERSION, "Id": ID, "Statement": STATEMENT, "Sid": SID, "Effect": EFFECT,
    "Principal": PRINCIPAL, "NotPrincipal": NOT_PRINCIPAL, "Action": ACTION,
    "NotAction": NOT_ACTION, "Resource": RESOURCE, "NotResource": NOT_RESOURCE,
    "Condition": CONDITION,
}


def element_page(path: tuple[str | int, ...]) -> str:
    """The element reference page for the innermost policy element on ``path``."""
    for part in reversed(path):
        if isinstance(part, str) and part in _ELEMENT_PAGES:
            page = _ELEMENT_PAGES[part]
            return OPERATORS if page == CONDITION and path[-1] != "Condition" else page
    return GRAMMAR
