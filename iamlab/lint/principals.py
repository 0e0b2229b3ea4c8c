"""AWS service principals iamlab knows, to catch misspelt ones ("lamda.amazonaws.com").

IAM refuses a trust policy naming a service principal that does not exist, with the
unhelpful "Invalid principal in policy". Most service principals are the service's
endpoint name followed by ``.amazonaws.com``; the list below holds the common ones whose
name is not simply a service prefix of the action catalog (which is also consulted).
Reference: IAM User Guide, "AWS JSON policy elements: Principal", section "AWS service
principals", and each service's documentation of its service-linked and service roles.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache


def _words(text: str) -> list[str]:
    return text.split()


SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".amazon.com")

KNOWN_SERVICE_NAMES = frozenset(_words("""
access-analyzer account acm acm-pca airflow airflow-env amplify apigateway ops.apigateway
appflow application-autoscaling ec2.application-autoscaling ecs.application-autoscaling
dynamodb.application-autoscaling rds.application-autoscaling
custom-resource.application-autoscaling appstream appsync apprunner build.apprunner
tasks.apprunner athena auditmanager autoscaling backup batch bedrock budgets chatbot cloud9
cloudformation member.org.stacksets.cloudformation stacksets.cloudformation cloudfront
cloudhsm cloudsearch cloudtrail codebuild codecommit codedeploy codeguru-reviewer
codepipeline codestar codestar-notifications cognito-idp cognito-identity comprehend config
connect databrew datapipeline datasync dax delivery.logs directconnect dlm dms ds dynamodb
replication.dynamodb ec2 ec2fleet ec2scheduled spotfleet spot ecr ecs ecs-tasks edgelambda
replicator.lambda eks eks-fargate-pods eks-nodegroup elasticache elasticbeanstalk
elasticfilesystem elasticloadbalancing elasticmapreduce emr-containers emr-serverless es
opensearchservice events scheduler pipes firehose fms forecast fsx gamelift glacier glue
greengrass guardduty healthlake iam imagebuilder inspector inspector2 iot iotanalytics
iotevents ivs kafka kafkaconnect kendra kinesis kinesisanalytics kms lakeformation lambda
lex lexv2 license-manager lightsail logs macie mediaconvert medialive mediapackage memorydb
monitoring monitoring.rds mq network-firewall opsworks organizations personalize pinpoint
polly qldb quicksight ram rds redshift redshift-serverless rekognition resource-groups
robomaker route53 route53resolver s3 batchoperations.s3 sagemaker secretsmanager securityhub
serverlessrepo servicecatalog servicequotas ses shield signer sms sns sqs ssm ssm-incidents
ssm-contacts sso states storagegateway sts support swf synthetics textract timestream
transcribe transfer translate trustedadvisor vpc-flow-logs waf wafv2 workspaces xray
alexa-appkit alexa-connectedhome
"""))

AMAZON_COM_NAMES = frozenset(("alexa-appkit", "alexa-connectedhome"))
"""The service principals that end in .amazon.com instead of .amazonaws.com."""

_REGION_PART = re.compile(r"\.[a-z]{2}(-[a-z]+)+-\d+\Z")


@lru_cache(maxsize=1)
def _candidates() -> tuple[str, ...]:
    from iamlab.lint.common import cat

    return tuple(sorted(KNOWN_SERVICE_NAMES | {p.lower() for p in cat().services()}))


def service_name(principal: str) -> str | None:
    """``lambda`` for ``lambda.amazonaws.com`` (a Region part dropped); None if no suffix."""
    low = principal.lower()
    for suffix in SUFFIXES:
        if low.endswith(suffix):
            return _REGION_PART.sub("", low[: -len(suffix)])
    return None


@lru_cache(maxsize=4096)
def check_service_principal(principal: str) -> tuple[str, str | None, str] | None:
    """(message, fix, severity) when ``principal`` is not a service principal iamlab knows."""
    example = "for example ec2.amazonaws.com or lambda.amazonaws.com"
    if principal != principal.strip() or principal != principal.lower():
        fixed = principal.strip().lower()
        return (f'"{principal}": service principals are written in lower case without '
                f'spaces ({example}); write "{fixed}".', fixed, "warning")
    name = service_name(principal)
    candidates = _candidates()
    if name is None:
        head = principal.split(".", 1)[0]
        fix = f"{head}.amazonaws.com" if head in candidates else None
        hint = f" Did you mean {fix}?" if fix else ""
        return (f'"{principal}" is not a service principal: they end in .amazonaws.com '
                f"({example}), and IAM rejects the trust policy with \"Invalid principal\"."
                + hint, fix, "error")
    if _suffix(principal) == ".amazon.com" and name not in AMAZON_COM_NAMES:
        close = [name] if name in candidates else difflib.get_close_matches(
            name, candidates, n=1, cutoff=0.8)
        fix = f"{close[0]}.amazonaws.com" if close else None
        hint = f" Did you mean {fix}?" if fix else ""
        return (f'"{principal}" is not a service principal: AWS service principals end in '
                f".amazonaws.com ({example}); only a few Alexa ones end in .amazon.com. IAM "
                'rejects the trust policy with "Invalid principal".' + hint, fix, "error")
    if name in candidates:
        return None
    close = difflib.get_close_matches(name, candidates, n=2, cutoff=0.8)
    if close:
        fix = close[0] + principal[len(principal) - len(_suffix(principal)):]
        others = f" (or {close[1]}{_suffix(principal)})" if len(close) > 1 else ""
        return (f'"{principal}" is not an AWS service principal; IAM rejects the policy with '
                f'"Invalid principal". Did you mean {fix}{others}?', fix, "error")
    return (f'"{principal}" is not a service principal iamlab knows. Check its spelling in '
            "the service's documentation: IAM rejects a trust policy naming a service "
            "principal that does not exist.", None, "warning")


def _suffix(principal: str) -> str:
    low = principal.lower()
    return next(s for s in SUFFIXES if low.endswith(s))


CONFUSED_DEPUTY_SERVICES = frozenset(_words("""
config ssm sagemaker personalize codebuild states scheduler pipes datasync transfer dms
ecs-tasks iot appsync
"""))
"""Services whose documentation shows aws:SourceArn / aws:SourceAccount in the trust policy
of the roles they assume ("Cross-service confused deputy prevention" in each guide). Not
listed (their docs give no such condition for role trust, and adding one breaks them):
ec2, lambda, apigateway, backup, glue."""
