#!/usr/bin/env python3
"""Renders deploy/helm/capig with render/ (Go text/template) for a few sets of values and checks
that the manifests are what Kubernetes expects of this chart: kinds and API versions, the probes
on the ops port, the secret references, the HPA's target, the PDB's selector."""
import json, os, subprocess, sys, tempfile
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CHART = os.path.join(HERE, "capig")


def render(overrides):
    values = yaml.safe_load(open(os.path.join(CHART, "values.yaml")))
    for path, value in overrides.items():
        node = values
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    chart = yaml.safe_load(open(os.path.join(CHART, "Chart.yaml")))
    ctx = {
        "Values": values,
        "Chart": {"Name": chart["name"], "Version": chart["version"], "AppVersion": chart["appVersion"]},
        "Release": {"Name": "shop", "Namespace": "capig"},
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(ctx, f)
    out = subprocess.run(["go", "run", ".", CHART, f.name], cwd=os.path.join(HERE, "render"),
                         capture_output=True, text=True, env={**os.environ, "GOFLAGS": "-mod=mod", "GO111MODULE": "on"})
    os.unlink(f.name)
    if out.returncode != 0:
        return None, out.stderr.strip()
    return [d for d in yaml.safe_load_all(out.stdout) if d], None


def by_kind(docs):
    found = {}
    for d in docs:
        assert "apiVersion" in d and "kind" in d and d.get("metadata", {}).get("name"), d
        found.setdefault(d["kind"], []).append(d)
    return found


def main():
    # Default values with the secret given: every object of the chart.
    docs, err = render({"databaseUrl": "postgres://capig@db/capig", "secretKey": "k" * 44})
    assert err is None, err
    k = by_kind(docs)
    assert sorted(k) == ["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Secret", "Service"], sorted(k)
    dep = k["Deployment"][0]
    assert dep["apiVersion"] == "apps/v1"
    spec = dep["spec"]["template"]["spec"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    c = spec["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert ports == {"http": 8080, "ops": 9464}, ports
    assert c["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "ops"}
    assert c["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "ops"}
    env = {e["name"]: e for e in c["env"]}
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "shop-capig", "key": "DATABASE_URL"}
    assert env["CAPIG_SECRET_KEY"]["valueFrom"]["secretKeyRef"]["key"] == "CAPIG_SECRET_KEY"
    assert env["CAPIG_OPS_PORT"]["value"] == "9464"
    assert "CAPIG_PUBLIC_URL" not in env, "empty settings are left out"
    assert "replicas" not in dep["spec"], "the HPA owns the replica count"
    assert c["resources"]["requests"]["cpu"] == "250m"
    sel = dep["spec"]["selector"]["matchLabels"]
    assert dep["spec"]["template"]["metadata"]["labels"] == sel
    secret = k["Secret"][0]
    import base64
    assert base64.b64decode(secret["data"]["DATABASE_URL"]).decode() == "postgres://capig@db/capig"
    services = {s["metadata"]["name"]: s for s in k["Service"]}
    assert services["shop-capig"]["spec"]["ports"][0]["targetPort"] == "http"
    assert services["shop-capig-ops"]["spec"]["ports"][0] == {"name": "ops", "port": 9464, "targetPort": "ops"}
    hpa = k["HorizontalPodAutoscaler"][0]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "shop-capig"}
    pdb = k["PodDisruptionBudget"][0]
    assert pdb["apiVersion"] == "policy/v1" and pdb["spec"]["selector"]["matchLabels"] == sel

    # An existing Secret and a fixed replica count: no Secret object, replicas set, no HPA.
    docs, err = render({"existingSecret": "capig-prod", "autoscaling.enabled": False, "replicas": 3,
                        "env": {"CAPIG_PUBLIC_URL": "https://gw.example", "LOG_LEVEL": "info"}})
    assert err is None, err
    k = by_kind(docs)
    assert sorted(k) == ["Deployment", "PodDisruptionBudget", "Service"], sorted(k)
    dep = k["Deployment"][0]
    assert dep["spec"]["replicas"] == 3
    env = {e["name"]: e for e in dep["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == "capig-prod"
    assert env["CAPIG_PUBLIC_URL"]["value"] == "https://gw.example"

    # Neither a Secret nor the values for one: rendering refuses, naming what is missing.
    docs, err = render({})
    assert docs is None and "databaseUrl (or existingSecret) is required" in err, err
    print("helm chart: rendered (Go text/template) and checked for 3 sets of values")


main()
