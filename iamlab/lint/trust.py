"""Principal checks, above all for role trust policies: who may assume the role, and how.

A role trust policy is the role's resource-based policy: its Principal says who may call
sts:AssumeRole* on the role (IAM User Guide, "Roles terms and concepts", "AWS JSON policy
elements: Principal", "The confused deputy problem", "Access to AWS accounts owned by third
parties"). The checks here teach what each kind of principal means and catch the ways a
trust policy silently lets in too much or nobody at all.
"""

from __future__ import annotations

from iamlab.arn import ACCOUNT_ID, WEB_IDENTITY_PROVIDERS, Arn, parse_arn
from iamlab.lint import docs
from iamlab.lint.common import expand
from iamlab.lint.model import LintContext, Principal, Stmt
from iamlab.lint.principals import CONFUSED_DEPUTY_SERVICES, check_service_principal, service_name
from iamlab.policy import PolicyKind

ASSUME_ROLE = "sts:AssumeRole"
ASSUME_SAML = "sts:AssumeRoleWithSAML"
ASSUME_OIDC = "sts:AssumeRoleWithWebIdentity"
_ASSUME_ACTIONS = frozenset(a.lower() for a in (ASSUME_ROLE, ASSUME_SAML, ASSUME_OIDC))
_COMPANIONS = frozenset(a.lower() for a in ("sts:TagSession", "sts:SetSourceIdentity",
                                            "sts:SetContext"))
_SOURCE_KEYS = frozenset(k.lower() for k in ("aws:SourceArn", "aws:SourceAccount",
                                             "aws:SourceOrgID", "aws:SourceOrgPaths"))
GITHUB_ACTIONS = "token.actions.githubusercontent.com"  # GitHub Actions' OIDC issuer
_ORG_KEYS = frozenset(k.lower() for k in ("aws:PrincipalOrgID", "aws:PrincipalOrgPaths"))


def _account_arn(value: str) -> Arn | None:
    """An IAM or STS ARN with a 12-digit account and no Region, else None."""
    arn = parse_arn(value)
    if arn is None or arn.service not in ("iam", "sts") or arn.region \
            or not ACCOUNT_ID.match(arn.account):
        return None
    return arn


def principal_kind(p: Principal) -> str:
    """``star``, ``root``, ``aws``, ``service``, ``saml``, ``oidc`` or ``other``."""
    if p.type == "*" or (p.type == "AWS" and p.value == "*"):
        return "star"
    if p.type == "Service":
        return "service"
    if p.type not in ("AWS", "Federated"):
        return "other"
    arn = _account_arn(p.value)
    kind, _, name = arn.resource.partition("/") if arn is not None and arn.service == "iam" \
        else ("", "", "")
    if p.type == "AWS":
        root = ACCOUNT_ID.match(p.value) or (kind == "root" and not name)
        return "root" if root else "aws"
    if kind == "saml-provider" and name:
        return "saml"
    if (kind == "oidc-provider" and name) or p.value in WEB_IDENTITY_PROVIDERS:
        return "oidc"
    return "other"


def account_of(value: str) -> str | None:
    """The account a principal value belongs to (an ID, a root/role/user/session ARN)."""
    if ACCOUNT_ID.match(value):
        return value
    arn = _account_arn(value)
    return arn.account if arn is not None else None


def check(ctx: LintContext, st: Stmt) -> None:
    """Principals of trust and resource-based policies."""
    if not st.principals:
        return
    trust = ctx.kind is PolicyKind.TRUST
    for p in st.principals:
        if p.type == "Service":
            problem = check_service_principal(p.value)
            if problem is not None:
                message, fix, severity = problem
                ctx.add("principal-unknown-service", p.path, message, fix=fix,
                        severity=severity)
    if not st.allow or st.principal_key != "Principal":
        return
    if trust:
        _trust_principals(ctx, st)
        _trust_actions(ctx, st)
    elif ctx.kind in (PolicyKind.RESOURCE, PolicyKind.RCP):
        for p in st.principals:
            if principal_kind(p) == "star" and not st.conditions and ctx.kind is \
                    PolicyKind.RESOURCE:
                ctx.add("principal-public", p.path,
                        'Principal "*" with no condition makes this statement apply to '
                        "anyone: every AWS account and, for many services, anonymous "
                        "requests too. That is a public resource. If that is not the aim, "
                        "name the principals, or add a condition such as aws:PrincipalOrgID "
                        "or aws:SourceAccount.", fix=None)


def _trust_principals(ctx: LintContext, st: Stmt) -> None:
    keys = st.condition_keys()
    own = ctx.options.account
    for p in st.principals:
        kind = principal_kind(p)
        if kind == "star":
            if st.conditions:
                ctx.add("trust-principal-star", p.path,
                        'Principal "*" lets any AWS principal in any account try to assume '
                        "this role; only the Condition stands between the role and the "
                        "world. Make sure it pins down who (aws:PrincipalOrgID, "
                        "aws:PrincipalAccount, aws:PrincipalArn or sts:ExternalId), or name "
                        "the trusted principals instead.", severity="warning")
            else:
                ctx.add("trust-principal-star", p.path,
                        'Principal "*" with no condition lets anyone with an AWS account '
                        "assume this role and use all its permissions. Name the account, "
                        'role or service that should use it, e.g. {"AWS": '
                        '"arn:aws:iam::111122223333:role/Name"}.',
                        fix='{"AWS": "arn:aws:iam::111122223333:role/Name"}')
            continue
        if kind == "root":
            account = account_of(p.value)
            ctx.add("trust-account-root", p.path,
                    f"{p.value} stands for the whole account {account}, not its root user: "
                    "the role trusts that account to decide. Any IAM user or role in it "
                    "whose own identity-based policy allows sts:AssumeRole on this role can "
                    "assume it, and that account's administrators choose who. To trust one "
                    "principal only, name its ARN (or add a condition on aws:PrincipalArn).",
                    fix=f"arn:aws:iam::{account}:role/RoleThatMayAssumeThis")
        if kind in ("root", "aws"):
            account = account_of(p.value)
            if account is None or (own and account == own) or "sts:externalid" in keys \
                    or keys & _ORG_KEYS or (own is None and kind != "root"):
                continue  # (a third party is trusted by account: only then guess)
            known = own is not None
            ctx.add("trust-no-external-id", p.path,
                    (f"account {account} is not the role's own account ({own}). If it "
                     "belongs to a third party (a company that works for you), "
                     if known else f"if account {account} belongs to a third party (a "
                     "company that works for you), ")
                    + "the statement should require an external ID: with "
                    '"Condition": {"StringEquals": {"sts:ExternalId": "<id the third party '
                    'gave you>"}} the third party can only use this role on your behalf, '
                    "and not be tricked into using it for another of its customers (the "
                    "confused deputy problem).",
                    fix='"Condition": {"StringEquals": {"sts:ExternalId": "..."}}',
                    severity="warning" if known else "suggestion")
        if kind == "oidc":
            provider = p.value.rsplit("oidc-provider/", 1)[-1].lower()
            if provider == GITHUB_ACTIONS and f"{provider}:sub" not in keys:
                ctx.add("trust-oidc-no-subject", p.path,
                        f"GitHub gives a token from {GITHUB_ACTIONS} to every workflow of every "
                        "repository, anyone's, and the audience (:aud) is the same for all of "
                        "them. Without a condition on "
                        f"{GITHUB_ACTIONS}:sub, any GitHub Actions workflow can assume this "
                        "role. Name your repository, and the branch or environment that "
                        "deploys, in a condition on :sub.",
                        fix=f'"StringLike": {{"{GITHUB_ACTIONS}:sub": '
                            '"repo:ORG/REPO:ref:refs/heads/main"}')
        if kind == "service":
            name = service_name(p.value)
            if name in CONFUSED_DEPUTY_SERVICES and not keys & _SOURCE_KEYS:
                ctx.add("trust-confused-deputy", p.path,
                        f"{p.value} may assume this role on behalf of any resource that names "
                        "it, including resources in other accounts (the confused deputy "
                        f"problem). {name} supports aws:SourceArn and aws:SourceAccount in the "
                        "role's trust policy: add them so that only your own resources can "
                        "make the service use this role.",
                        fix='"Condition": {"StringEquals": {"aws:SourceAccount": '
                            '"111122223333"}}')


def _trust_actions(ctx: LintContext, st: Stmt) -> None:
    if not st.has_actions or not st.actions:
        return
    covered: set[str] = set()
    for n, action in enumerate(st.actions):
        names = expand(action)
        covered.update(a.lower() for a in names)
        if action != "*" and names and not action.lower().startswith("sts:"):
            ctx.add("trust-non-sts-action", st.action_path(n),
                    f"{action} in a trust policy: a role trust policy only decides who may "
                    "assume the role (sts:AssumeRole and its relatives). What the role may do "
                    "once assumed belongs in its permissions policies.")
    assume = covered & _ASSUME_ACTIONS
    if not assume:
        if not covered & _COMPANIONS and covered:
            ctx.add("trust-no-assume-action", st.action_path(0),
                    "no action of this statement lets anyone assume the role: a trust policy "
                    f"allows {ASSUME_ROLE} (or {ASSUME_SAML} for SAML federation, "
                    f"{ASSUME_OIDC} for web identity/OIDC). As written, nobody it names can "
                    "use the role.", fix=ASSUME_ROLE)
        return
    for p in st.principals:
        kind = principal_kind(p)
        needed = {"root": ASSUME_ROLE, "aws": ASSUME_ROLE, "service": ASSUME_ROLE,
                  "saml": ASSUME_SAML, "oidc": ASSUME_OIDC}.get(kind)
        if needed is None or needed.lower() in covered:
            continue
        who = {"saml": "users of a SAML identity provider assume a role",
               "oidc": "users of a web identity (OIDC) provider assume a role",
               }.get(kind, "IAM principals and AWS services assume a role")
        allowed = ", ".join(sorted(a for a in (ASSUME_ROLE, ASSUME_SAML, ASSUME_OIDC)
                                   if a.lower() in assume))
        ctx.add("trust-wrong-action", p.path,
                f"{who} with {needed}, but this statement allows only {allowed} for "
                f"{p.value}, so it can never assume the role.", fix=needed,
                doc_url=docs.SAML if kind == "saml" else docs.OIDC if kind == "oidc"
                else None)
