"""Amazon CloudWatch metrics in the world, as the CloudWatch agent on an instance sends them
with its role (``CloudWatchAgentServerPolicy`` allows ``cloudwatch:PutMetricData``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iamlab.world.services.base import ServiceClient


@dataclass
class Metric:
    namespace: str
    name: str
    values: list[float] = field(default_factory=list)


class CloudWatchClient(ServiceClient):
    """Custom metrics, as the CloudWatch agent sends them (``CWAgent`` namespace)."""

    service = "cloudwatch"
    endpoint = "monitoring.amazonaws.com"

    def put_metric_data(self, *, Namespace: str,
                        MetricData: list[dict[str, Any]]) -> dict[str, Any]:
        """PutMetricData has no resource type: it is authorised on ``*``, with the
        ``cloudwatch:namespace`` condition key (Service Authorization Reference)."""
        with self._call("PutMetricData") as call:
            acct = self.world.accounts[call.caller.account]
            call.authorize("cloudwatch:PutMetricData", "*", account=acct.account_id,
                           context={"cloudwatch:namespace": Namespace})
            for datum in MetricData:
                key = f"{Namespace}/{datum['MetricName']}"
                metric = acct.metrics.setdefault(key, Metric(Namespace,
                                                             str(datum["MetricName"])))
                metric.values.append(float(datum.get("Value", 0)))
            return {}

    def list_metrics(self, *, Namespace: str | None = None) -> dict[str, Any]:
        with self._call("ListMetrics") as call:
            acct = self.world.accounts[call.caller.account]
            call.authorize("cloudwatch:ListMetrics", "*", account=acct.account_id)
            return {"Metrics": [{"Namespace": m.namespace, "MetricName": m.name}
                                for m in acct.metrics.values()
                                if Namespace is None or m.namespace == Namespace]}
