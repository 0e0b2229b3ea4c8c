"""Amazon EC2 in the world: instances, instance profiles, and the metadata service.

An instance launched with an instance profile gets its role's temporary credentials from
the instance metadata service: no key is written in code (Amazon EC2 User Guide, "IAM roles
for Amazon EC2", "Retrieve security credentials from instance metadata"). EC2 assumes the
role (the trust policy must allow ``ec2.amazonaws.com``), and makes new credentials
available at least five minutes before the old ones expire, so code that asks the
metadata service each time keeps working as the clock moves. The credentials carry
``aws:ec2InstanceSourceVPC``, ``aws:ec2InstanceSourcePrivateIPv4`` and
``ec2:SourceInstanceARN`` wherever they are used, so a policy can refuse them outside the
instance's VPC.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from iamlab.decision import Decision
from iamlab.errors import IamlabError
from iamlab.request import ContextValue
from iamlab.world.clock import iso
from iamlab.world.credentials import Credentials, Location, TemporarySession
from iamlab.world.errors import NoCredentials, NotFound, ServiceError
from iamlab.world.model import Account, InstanceProfile, Role, VpcEndpoint
from iamlab.world.services.base import Call, ServiceClient, pass_role, tag_list

if TYPE_CHECKING:
    from iamlab.world.core import World
    from iamlab.world.session import Session

CREDENTIAL_LIFETIME = 6 * 3600  # seconds
REFRESH_BEFORE = timedelta(minutes=5)
EC2 = "ec2.amazonaws.com"

INSTANCE_LIMIT = 100  # instances one RunInstances call may launch in the simulated account


@dataclass
class LaunchTemplate:
    name: str
    template_id: str
    account: str
    data: dict[str, Any] = field(default_factory=dict)


class InstanceMetadata:
    """The metadata service (``http://169.254.169.254/latest/meta-data/``) of one instance,
    as code running on it sees it.

    Any process on the instance can read it, and so can anyone who tricks the application
    into fetching a URL for them (server-side request forgery). IMDSv2 is the defence (Amazon
    EC2 User Guide, "Use the Instance Metadata Service to access instance metadata"): a
    session token is first fetched with a PUT (``put_token``), and each GET must carry it.
    With ``HttpTokens`` = ``required`` a GET without a valid token gets ``401 -
    Unauthorized``; the PUT's response travels at most ``HttpPutResponseHopLimit`` network
    hops, so a container one hop further cannot get a token when the limit is 1.
    """

    def __init__(self, instance: Instance) -> None:
        self._instance = instance
        self._current: TemporarySession | None = None
        self.last_failure: Decision | None = None
        self.http_tokens = "optional"  # "required" turns IMDSv1 off
        self.hop_limit = 1
        self._tokens: dict[str, datetime] = {}

    def put_token(self, ttl_seconds: int = 21600, *, hops: int = 1) -> str:
        """``PUT /latest/api/token`` with ``X-aws-ec2-metadata-token-ttl-seconds``: a session
        token for later GETs. ``hops`` is how many network hops away the caller is (1 on the
        instance itself, 2 from a container on a bridge network)."""
        if not 1 <= ttl_seconds <= 21600:
            raise ServiceError("400 - Bad Request: the token TTL must be 1 to 21600 seconds",
                               code="400")
        if hops > self.hop_limit:
            raise ServiceError(f"the PUT response never arrived: it may travel "
                               f"{self.hop_limit} hop(s) (HttpPutResponseHopLimit) and the "
                               f"caller is {hops} away", code="RequestTimeout")
        world = self._instance.world
        token = "AQAEA" + world.ids.hex(40)
        self._tokens[token] = world.clock.now() + timedelta(seconds=ttl_seconds)
        return token

    def _check_token(self, token: str | None) -> None:
        valid = token is not None and token in self._tokens \
            and self._instance.world.clock.now() < self._tokens[token]
        if token is not None and not valid:
            raise ServiceError("401 - Unauthorized", code="401")
        if token is None and self.http_tokens == "required":
            raise ServiceError("401 - Unauthorized (IMDSv2 is required: PUT /latest/api/token "
                               "first and send the token with each request)", code="401")

    def _role(self) -> Role | None:
        inst = self._instance
        if inst.state != "running" or inst.profile_arn is None:
            return None
        prof = inst.profile()
        if prof is None or not prof.roles:
            return None
        return inst.world.accounts[inst.account].roles.get(prof.roles[0])

    def _fresh(self) -> TemporarySession | None:
        """The credentials on offer now; EC2 assumes the role again when they near expiry."""
        role = self._role()
        if role is None:
            return None
        world = self._instance.world
        now = world.clock.now()
        cur = self._current
        if cur is not None and cur.role_arn == role.arn and cur.role_id == role.role_id \
                and now < cur.expiration - REFRESH_BEFORE:
            return cur
        from iamlab.world.sts import service_assume_role

        inst = self._instance
        made, decision = service_assume_role(
            world, EC2, role, session_name=inst.instance_id, duration=CREDENTIAL_LIFETIME,
            context=inst.credential_context())
        if made is None:
            self.last_failure = decision
            return cur if cur is not None and now < cur.expiration else None
        self.last_failure = None
        self._current = made
        return made

    def get(self, path: str, token: str | None = None) -> str:
        """What ``curl http://169.254.169.254/latest/meta-data/<path>`` returns; ``token``
        is IMDSv2's session token (header ``X-aws-ec2-metadata-token``)."""
        self._check_token(token)
        inst = self._instance
        path = path.removeprefix("/").removeprefix("latest/").removeprefix("meta-data/")
        simple = {"instance-id": inst.instance_id, "local-ipv4": inst.private_ip,
                  "public-ipv4": inst.public_ip, "placement/region": inst.world.region,
                  "ami-id": inst.image_id, "instance-type": inst.instance_type}
        if path in simple:
            return simple[path]
        role = self._role()
        if path == "iam/info":
            if role is None:
                raise NotFound("404 - Not Found", code="404")
            prof = inst.profile()
            assert prof is not None
            return json.dumps({"Code": "Success", "LastUpdated": iso(inst.world.clock.now()),
                               "InstanceProfileArn": prof.arn,
                               "InstanceProfileId": prof.profile_id}, indent=2)
        if path in ("iam/security-credentials", "iam/security-credentials/"):
            if role is None:
                raise NotFound("404 - Not Found", code="404")
            return role.name
        if path.startswith("iam/security-credentials/") and role is not None \
                and path.rsplit("/", 1)[-1] == role.name:
            made = self._fresh()
            now = iso(inst.world.clock.now())
            if made is None:
                return json.dumps({
                    "Code": "AssumeRoleUnauthorizedAccess",
                    "Message": f"EC2 cannot assume the role {role.name}. Please see "
                               "documentation at https://docs.aws.amazon.com/IAM/latest/"
                               "UserGuide/id_roles_use_switch-role-ec2.html",
                    "LastUpdated": now}, indent=2)
            creds = made.credentials
            return json.dumps({"Code": "Success", "LastUpdated": iso(made.issued),
                               "Type": "AWS-HMAC", "AccessKeyId": creds.access_key_id,
                               "SecretAccessKey": creds.secret_access_key,
                               "Token": creds.session_token,
                               "Expiration": iso(made.expiration)}, indent=2)
        raise NotFound("404 - Not Found", code="404")

    def credentials(self) -> Credentials:
        """The role's current temporary credentials, as the SDK on the instance finds them."""
        role = self._role()
        if role is None:
            raise NoCredentials(f"instance {self._instance.instance_id} has no role (no "
                                "instance profile, or an empty one), so its metadata service "
                                "offers no credentials")
        made = self._fresh()
        if made is None:
            raise NoCredentials(
                f"the metadata service of {self._instance.instance_id} answers "
                f"AssumeRoleUnauthorizedAccess: EC2 cannot assume the role {role.name} because "
                "its trust policy does not allow ec2.amazonaws.com", self.last_failure)
        return made.credentials


class Instance:
    """A running EC2 instance. ``instance.session`` is what code on it uses: the role's
    credentials from the metadata service, calling from the instance's address."""

    def __init__(self, world: World, instance_id: str, account: str, image_id: str,
                 instance_type: str, vpc_id: str, private_ip: str, public_ip: str,
                 profile_arn: str | None, launched_at: datetime) -> None:
        self.world = world
        self.instance_id = instance_id
        self.account = account
        self.image_id = image_id
        self.instance_type = instance_type
        self.vpc_id = vpc_id
        self.private_ip = private_ip
        self.public_ip = public_ip
        self.profile_arn = profile_arn
        self.association_id = f"iip-assoc-{world.ids.hex(17)}" if profile_arn else None
        self.launched_at = launched_at
        self.state = "running"
        self.metadata = InstanceMetadata(self)
        self.environment: dict[str, str] = {}  # the application's environment variables
        self.credentials_file: dict[str, str] = {}  # ~/.aws/credentials, [default] profile
        self.agent_log: list[str] = []  # what the AWS agents on the instance could not do

    @property
    def arn(self) -> str:
        return f"arn:aws:ec2:{self.world.region}:{self.account}:instance/{self.instance_id}"

    def profile(self) -> InstanceProfile | None:
        acct = self.world.accounts[self.account]
        return next((p for p in acct.instance_profiles.values() if p.arn == self.profile_arn),
                    None)

    @property
    def role(self) -> Role | None:
        return self.metadata._role()

    def credential_context(self) -> dict[str, ContextValue]:
        """Keys AWS adds to every request signed with this instance's role credentials."""
        return {"ec2:SourceInstanceARN": self.arn, "aws:ec2InstanceSourceVPC": self.vpc_id,
                "aws:ec2InstanceSourcePrivateIPv4": self.private_ip, "ec2:RoleDelivery": "2.0"}

    def credential_source(self) -> str:
        """Where the SDK finds credentials on this instance, in the order botocore looks
        (AWS SDKs and Tools Reference Guide, "Standardized credential providers"):
        environment variables, then the shared credentials file, then the metadata service.
        Stray keys in the first two override the instance's role."""
        if self.environment.get("AWS_ACCESS_KEY_ID"):
            return "environment"
        if self.credentials_file.get("aws_access_key_id"):
            return "shared-credentials-file"
        return "instance-metadata"

    def _sdk_credentials(self) -> Credentials:
        found = self.credential_source()
        if found == "environment":
            env = self.environment
            return Credentials(env["AWS_ACCESS_KEY_ID"], env.get("AWS_SECRET_ACCESS_KEY", ""),
                               env.get("AWS_SESSION_TOKEN"))
        if found == "shared-credentials-file":
            conf = self.credentials_file
            return Credentials(conf["aws_access_key_id"], conf.get("aws_secret_access_key", ""),
                               conf.get("aws_session_token"))
        return self.metadata.credentials()

    @property
    def session(self) -> Session:
        """Code running on the instance: the SDK's credentials (see ``credential_source``;
        with none configured, the role's from the metadata service, over IMDSv2), each call."""
        from iamlab.world.session import Session

        return Session(self.world, self._sdk_credentials,
                       Location(self.public_ip, self.vpc_id, self.private_ip))

    @property
    def agent_session(self) -> Session:
        """The AWS agents on the instance (SSM Agent, CloudWatch agent) use the role's
        credentials from the metadata service, whatever keys the application was given."""
        from iamlab.world.session import Session

        return Session(self.world, self.metadata.credentials,
                       Location(self.public_ip, self.vpc_id, self.private_ip))

    def run_ssm_agent(self) -> bool:
        """The SSM Agent checks in with Systems Manager, as it does every few minutes; True
        if it could (the instance is then a managed node, ``Online``). If not, the reason is
        in ``agent_log`` and a node already known is shown ``ConnectionLost``."""
        try:
            self.agent_session.ssm.update_instance_information(InstanceId=self.instance_id)
        except IamlabError as err:
            self.agent_log.append(f"amazon-ssm-agent: {err}")
            node = self.world.accounts[self.account].managed_nodes.get(self.instance_id)
            if node is not None:
                node.ping_status = "ConnectionLost"
            return False
        return True

    def run_cloudwatch_agent(self, memory_used_percent: float = 42.0,
                             log_group: str | None = None, line: str = "GET / 200") -> bool:
        """The CloudWatch agent sends a metric (``CWAgent/mem_used_percent``) and, given a
        ``log_group``, ships ``line`` to the instance's stream in it (named after the
        instance, created on first use). True if it could, the reason in ``agent_log`` if not."""
        agent = self.agent_session
        try:
            agent.cloudwatch.put_metric_data(
                Namespace="CWAgent", MetricData=[{"MetricName": "mem_used_percent",
                                                  "Value": memory_used_percent,
                                                  "Unit": "Percent"}])
            if log_group is not None:
                try:
                    agent.logs.create_log_stream(logGroupName=log_group,
                                                 logStreamName=self.instance_id)
                except ServiceError as err:
                    if err.code != "ResourceAlreadyExistsException":
                        raise
                stamp = int(self.world.clock.now().timestamp() * 1000)
                agent.logs.put_log_events(logGroupName=log_group, logStreamName=self.instance_id,
                                          logEvents=[{"timestamp": stamp, "message": line}])
        except IamlabError as err:
            self.agent_log.append(f"amazon-cloudwatch-agent: {err}")
            return False
        return True

    def session_with(self, credentials: Credentials | dict[str, Any]) -> Session:
        """Code on the instance using credentials written into it (a long-term key...)."""
        if isinstance(credentials, dict):
            credentials = Credentials.from_dict(credentials)
        from iamlab.world.session import Session

        return Session(self.world, credentials,
                       Location(self.public_ip, self.vpc_id, self.private_ip))

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "InstanceId": self.instance_id, "ImageId": self.image_id,
            "InstanceType": self.instance_type, "State": {"Name": self.state},
            "VpcId": self.vpc_id, "PrivateIpAddress": self.private_ip,
            "PublicIpAddress": self.public_ip, "LaunchTime": self.launched_at,
            "MetadataOptions": self.metadata_options()}
        if self.profile_arn:
            prof = self.profile()
            out["IamInstanceProfile"] = {"Arn": self.profile_arn,
                                         "Id": prof.profile_id if prof else ""}
        return out

    def metadata_options(self) -> dict[str, Any]:
        md = self.metadata
        return {"State": "applied", "HttpTokens": md.http_tokens,
                "HttpPutResponseHopLimit": md.hop_limit, "HttpEndpoint": "enabled"}

    def __repr__(self) -> str:
        role = self.role
        return (f"<Instance {self.instance_id} {self.state} in {self.vpc_id}, role "
                f"{role.name if role else None}>")


class Ec2Client(ServiceClient):
    service = "ec2"
    endpoint = "ec2.amazonaws.com"
    denied_code = "UnauthorizedOperation"

    def _arn(self, account: str, kind: str, rid: str = "*") -> str:
        return f"arn:aws:ec2:{self.region}:{account}:{kind}/{rid}"

    def _profile(self, acct: Account, spec: Any) -> InstanceProfile:
        spec = spec or {}
        name, arn = spec.get("Name"), spec.get("Arn")
        for prof in acct.instance_profiles.values():
            if (name and prof.name == name) or (arn and prof.arn == arn):
                return prof
        which = f"name {name}" if name else f"arn {arn}"
        raise ServiceError(f"Value ({name or arn}) for parameter iamInstanceProfile."
                           f"{'name' if name else 'arn'} is invalid. Invalid IAM Instance "
                           f"Profile {which}", code="InvalidParameterValue")

    def _instance(self, call: Call, instance_id: Any) -> Instance:
        acct = self.world.accounts[call.caller.account]
        inst = acct.instances.get(instance_id) if isinstance(instance_id, str) else None
        if inst is None:
            raise NotFound(f"The instance ID '{instance_id}' does not exist",
                           code="InvalidInstanceID.NotFound")
        return inst

    def _pass_profile_role(self, call: Call, prof: InstanceProfile) -> None:
        acct = self.world.accounts[prof.account]
        for name in prof.roles:
            role = acct.roles.get(name)
            if role is not None:
                pass_role(call, role.arn, EC2, self._arn(prof.account, "instance"))

    def run_instances(self, *, ImageId: str = "ami-0abcdef1234567890",
                      InstanceType: str = "t3.micro", MinCount: int = 1, MaxCount: int = 1,
                      IamInstanceProfile: dict[str, str] | None = None,
                      LaunchTemplate: dict[str, str] | None = None,
                      TagSpecifications: Any = None,
                      MetadataOptions: dict[str, Any] | None = None,
                      **_: Any) -> dict[str, Any]:
        """Launch instances; with an instance profile the caller must also be allowed to pass
        its role to EC2 (``iam:PassRole`` with ``iam:PassedToService`` =
        ``ec2.amazonaws.com``)."""
        with self._call("RunInstances") as call:
            acct = self.world.accounts[call.caller.account]
            if LaunchTemplate is not None:
                tpl = self._template(acct, LaunchTemplate)
                ImageId = tpl.data.get("ImageId", ImageId)
                InstanceType = tpl.data.get("InstanceType", InstanceType)
                IamInstanceProfile = IamInstanceProfile or tpl.data.get("IamInstanceProfile")
            prof = self._profile(acct, IamInstanceProfile) if IamInstanceProfile else None
            count = max(1, min(int(MinCount), int(MaxCount)))
            if count > INSTANCE_LIMIT:
                raise ServiceError(
                    f"You have requested more instances ({count}) than your current instance "
                    f"limit of {INSTANCE_LIMIT} allows (iamlab's simulated account).",
                    code="InstanceLimitExceeded")
            tags = {}
            for spec in TagSpecifications or ():
                tags.update(tag_list(spec.get("Tags")))
            call.authorize("ec2:RunInstances", self._arn(acct.account_id, "instance"),
                           account=acct.account_id,
                           context={f"aws:RequestTag/{k}": v for k, v in tags.items()})
            if prof is not None:
                self._pass_profile_role(call, prof)
            options = _metadata_options(MetadataOptions or {})
            made = [self._launch(acct, ImageId, InstanceType, prof) for _ in range(count)]
            for inst in made:
                inst.metadata.http_tokens, inst.metadata.hop_limit = options
            return {"Instances": [i.describe() for i in made],
                    "OwnerId": acct.account_id}

    def _launch(self, acct: Account, image_id: str, instance_type: str,
               prof: InstanceProfile | None) -> Instance:
        world = self.world
        n = len(acct.instances) + 10
        inst = Instance(world, world.ids.instance_id(), acct.account_id, image_id, instance_type,
                        acct.default_vpc, f"10.0.{n // 250}.{n % 250 + 4}",
                        f"192.0.2.{(n * 7) % 250 + 1}", prof.arn if prof else None,
                        world.clock.now())
        acct.instances[inst.instance_id] = inst
        return inst

    def _template(self, acct: Account, spec: dict[str, str]) -> LaunchTemplate:
        name, tid = spec.get("LaunchTemplateName"), spec.get("LaunchTemplateId")
        for tpl in acct.launch_templates.values():
            if tpl.name == name or tpl.template_id == tid:
                return tpl
        raise ServiceError(f"The specified launch template, with template name {name}, does not "
                           "exist.", code="InvalidLaunchTemplateName.NotFoundException")

    def describe_instances(self, *, InstanceIds: list[str] | None = None) -> dict[str, Any]:
        with self._call("DescribeInstances") as call:
            acct = self.world.accounts[call.caller.account]
            call.authorize("ec2:DescribeInstances", "*", account=acct.account_id)
            found = [self._instance(call, i) for i in InstanceIds] if InstanceIds \
                else list(acct.instances.values())
            return {"Reservations": [{"Instances": [i.describe() for i in found]}]}

    def terminate_instances(self, *, InstanceIds: list[str]) -> dict[str, Any]:
        with self._call("TerminateInstances") as call:
            found = [self._instance(call, i) for i in InstanceIds]
            for inst in found:
                call.authorize("ec2:TerminateInstances", inst.arn, account=inst.account)
            for inst in found:
                inst.state = "terminated"
            return {"TerminatingInstances": [
                {"InstanceId": i.instance_id, "CurrentState": {"Name": "shutting-down"}}
                for i in found]}

    def associate_iam_instance_profile(self, *, IamInstanceProfile: dict[str, str],
                                       InstanceId: str) -> dict[str, Any]:
        """Attach an instance profile to a running instance (needs iam:PassRole too)."""
        with self._call("AssociateIamInstanceProfile") as call:
            inst = self._instance(call, InstanceId)
            acct = self.world.accounts[inst.account]
            prof = self._profile(acct, IamInstanceProfile)
            call.authorize("ec2:AssociateIamInstanceProfile", inst.arn, account=inst.account)
            self._pass_profile_role(call, prof)
            if inst.profile_arn is not None:
                raise ServiceError(f"There is an existing association for instance "
                                   f"{InstanceId}", code="IncorrectState")
            inst.profile_arn = prof.arn
            inst.association_id = f"iip-assoc-{self.world.ids.hex(17)}"
            return {"IamInstanceProfileAssociation": {
                "AssociationId": inst.association_id, "InstanceId": InstanceId,
                "IamInstanceProfile": {"Arn": prof.arn, "Id": prof.profile_id},
                "State": "associating"}}

    def disassociate_iam_instance_profile(self, *, AssociationId: str) -> dict[str, Any]:
        with self._call("DisassociateIamInstanceProfile") as call:
            acct = self.world.accounts[call.caller.account]
            inst = next((i for i in acct.instances.values()
                         if i.association_id == AssociationId), None)
            if inst is None:
                raise NotFound(f"An association with ID {AssociationId} does not exist.",
                               code="InvalidAssociationID.NotFound")
            call.authorize("ec2:DisassociateIamInstanceProfile", inst.arn,
                           account=inst.account)
            inst.profile_arn, inst.association_id = None, None
            return {"IamInstanceProfileAssociation": {"AssociationId": AssociationId,
                                                      "State": "disassociating"}}

    def modify_instance_metadata_options(self, *, InstanceId: str,
                                         HttpTokens: str | None = None,
                                         HttpPutResponseHopLimit: int | None = None,
                                         **_: Any) -> dict[str, Any]:
        """Require IMDSv2 (``HttpTokens="required"``) or change the PUT hop limit."""
        with self._call("ModifyInstanceMetadataOptions") as call:
            inst = self._instance(call, InstanceId)
            md = inst.metadata
            tokens, hops = _metadata_options({
                "HttpTokens": HttpTokens or md.http_tokens,
                "HttpPutResponseHopLimit": HttpPutResponseHopLimit or md.hop_limit})
            call.authorize("ec2:ModifyInstanceMetadataOptions", inst.arn, account=inst.account)
            md.http_tokens, md.hop_limit = tokens, hops
            return {"InstanceId": InstanceId,
                    "InstanceMetadataOptions": {**inst.metadata_options(), "State": "pending"}}

    def create_vpc_endpoint(self, *, VpcId: str, ServiceName: str,
                            VpcEndpointType: str = "Gateway", **_: Any) -> dict[str, Any]:
        """A VPC endpoint: calls from the VPC to that service then carry aws:SourceVpc and
        aws:SourceVpce instead of aws:SourceIp."""
        with self._call("CreateVpcEndpoint") as call:
            acct = self.world.accounts[call.caller.account]
            service = ServiceName.rsplit(".", 1)[-1]
            if VpcId != acct.default_vpc:
                raise NotFound(f"The vpc ID '{VpcId}' does not exist",
                               code="InvalidVpcId.NotFound")
            call.authorize("ec2:CreateVpcEndpoint", self._arn(acct.account_id, "vpc-endpoint"),
                           account=acct.account_id)
            ep = VpcEndpoint(f"vpce-0{self.world.ids.hex(16)}", VpcId, service, acct.account_id)
            acct.vpc_endpoints[ep.endpoint_id] = ep
            return {"VpcEndpoint": {"VpcEndpointId": ep.endpoint_id, "VpcId": VpcId,
                                    "ServiceName": ServiceName,
                                    "VpcEndpointType": VpcEndpointType, "State": "available"}}

    def create_launch_template(self, *, LaunchTemplateName: str,
                               LaunchTemplateData: dict[str, Any]) -> dict[str, Any]:
        with self._call("CreateLaunchTemplate") as call:
            acct = self.world.accounts[call.caller.account]
            call.authorize("ec2:CreateLaunchTemplate",
                           self._arn(acct.account_id, "launch-template"),
                           account=acct.account_id)
            if "IamInstanceProfile" in LaunchTemplateData:
                self._profile(acct, LaunchTemplateData["IamInstanceProfile"])
            if LaunchTemplateName in acct.launch_templates:
                raise ServiceError("Launch template name already in use.",
                                   code="InvalidLaunchTemplateName.AlreadyExistsException")
            tpl = LaunchTemplate(LaunchTemplateName, f"lt-0{self.world.ids.hex(16)}",
                                 acct.account_id, dict(LaunchTemplateData))
            acct.launch_templates[LaunchTemplateName] = tpl
            return {"LaunchTemplate": {"LaunchTemplateName": tpl.name,
                                       "LaunchTemplateId": tpl.template_id}}


def _metadata_options(options: dict[str, Any]) -> tuple[str, int]:
    """``HttpTokens`` and ``HttpPutResponseHopLimit``, checked as EC2 checks them."""
    tokens = options.get("HttpTokens", "optional")
    hops = options.get("HttpPutResponseHopLimit", 1)
    if tokens not in ("optional", "required"):
        raise ServiceError(f"Value ({tokens}) for parameter HttpTokens is invalid. Valid "
                           "values: optional, required", code="InvalidParameterValue")
    if not isinstance(hops, int) or not 1 <= hops <= 64:
        raise ServiceError(f"Value ({hops}) for parameter HttpPutResponseHopLimit is invalid. "
                           "It must be 1 to 64.", code="InvalidParameterValue")
    return tokens, hops
