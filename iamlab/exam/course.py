"""What exam items may point at: the course's notebooks, its fifteen points, the exam topics.

One table each, in one place: a notebook or topic added to the course is added here, and
every item file is validated against it (``iamlab.exam.items``). Tags are ``point-N`` for
the course points of ``COURSE.md`` and the topic codes below (kebab-case, as lint codes).
"""

from __future__ import annotations

# Notebooks in course order (file name without .ipynb). Items name where a topic is taught.
NOTEBOOKS: tuple[str, ...] = (
    "00-start-here",
    "01-what-is-a-role",
    "02-ec2-reads-s3",
    "03-lambda-execution-role",
    "04-ecs-task-roles",
    "05-service-linked-roles",
    "06-how-aws-decides",
    "07-cross-account-roles",
    "08-confused-deputy",
    "09-sessions",
    "10-exam-practice",
)

# The course points (tag ``point-N``), in a few words each.
COURSE_POINTS: dict[int, str] = {
    1: "IAM decides who can do what to which resources",
    2: "A role: permissions, no password, no long-term keys",
    3: "Roles are assumed for a limited time by trusted entities",
    4: "The trust policy: who may assume the role",
    5: "The permissions policy: what the role may do",
    6: "Trust and permissions must both agree",
    7: "Access keys on an instance are insecure",
    8: "A role through an instance profile (iam:PassRole)",
    9: "Temporary credentials from the instance metadata service",
    10: "AWS rotates temporary credentials before they expire",
    11: "Trust names the service principal; permissions grant the actions",
    12: "Instance profiles for EC2",
    13: "Lambda execution roles",
    14: "ECS task roles and task execution roles",
    15: "Service-linked roles",
}

# Exam topics (tags), with the title shown in a score by topic.
TOPICS: dict[str, str] = {
    "cross-account": "Cross-account access",
    "confused-deputy": "The confused deputy",
    "evaluation": "Policy evaluation logic",
    "sessions": "Sessions, role chaining and session tags",
    "users-groups-roles": "Users and groups versus roles",
    "federation": "Federation and IAM Identity Center",
    "managed-inline": "Managed versus inline policies",
    "resource-policies": "Resource-based policies versus roles",
    "root-mfa": "The root user and MFA",
    "least-privilege": "Least privilege and IAM Access Analyzer",
    "imds": "Instance metadata and IMDSv2",
    "secrets": "Secrets Manager, Parameter Store and KMS",
    "organizations": "Organizations and SCPs",
    "access-keys": "Access keys and temporary credentials",
    "service-roles": "Roles for AWS services",
}


def tag_title(tag: str) -> str:
    """What a tag is about, in words (the tag itself when unknown)."""
    if tag.startswith("point-") and tag[6:].isdigit() and int(tag[6:]) in COURSE_POINTS:
        return f"{tag[6:]}. {COURSE_POINTS[int(tag[6:])]}"
    return TOPICS.get(tag, tag)


def known_tag(tag: str) -> bool:
    """A course point ``point-1`` … ``point-15`` or a topic of :data:`TOPICS`."""
    return tag in TOPICS or (tag.startswith("point-") and tag[6:].isdigit()
                             and int(tag[6:]) in COURSE_POINTS and tag[6:] == str(int(tag[6:])))
