#!/usr/bin/env python3
"""Writes test/fixtures/idempotence-tokens.json: known answers for the idempotence token.

Run once with Debian's interpreter and python3-xxhash (apt-get install -y python3-xxhash):

    /usr/bin/python3 scripts/make-token-fixtures.py > test/fixtures/idempotence-tokens.json

It implements, in Python, the rules the connector reference describes for flytekit's boto and
sagemaker-endpoint connectors: input literals as plain values, integral floats of a boto config
turned into ints, `{inputs.x}` / `{images.x}` rendered (a string that is exactly one placeholder
takes the raw value, otherwise str() is spliced in), the token = xxh64 (seed 0) of the rendered
config's sorted text, then `{idempotence_token}` rendered, with the 63-character cut for the
sagemaker service. The tests only read the JSON it wrote; they never run this script.
"""
import copy
import json
import re
import sys

import xxhash

ACCOUNTS = {"eu-west-1": "802834080501", "cn-north-1": "472730292857", "us-east-1": "785573368785"}


def plain_inputs(typed):
    out = {}
    for name, lit in typed.items():
        ((kind, value),) = lit.items()
        out[name] = {"string": str, "integer": int, "float": float, "boolean": bool}[kind](value)
    return out


def ints(value):
    if isinstance(value, dict):
        return {k: ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [ints(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def lookup(tree, path):
    for key in path.split("."):
        if key not in tree:
            raise KeyError(path)
        tree = tree[key]
    return tree


def splice(service, text, name, replacement):
    out = text.replace("{" + name + "}", replacement)
    if service == "sagemaker" and name in ("idempotence_token", "inputs.idempotence_token") and len(out) > 63:
        room = 63 - len(text.replace("{" + name + "}", ""))
        return text.replace("{" + name + "}", replacement[:room])
    return out


def render(service, value, values, token=None):
    if isinstance(value, dict):
        return {k: render(service, v, values, token) for k, v in value.items()}
    if isinstance(value, list):
        return [render(service, v, values, token) for v in value]
    if isinstance(value, str) and "{" in value and "}" in value:
        for name in re.findall(r"\{([^}]+)\}", value):
            if "." in name:
                found = lookup(values, name)
                if value == "{" + name + "}":
                    return found
                value = splice(service, value, name, str(found))
            elif name == "idempotence_token" and token:
                value = splice(service, value, name, token)
        return value
    return value


def sorted_text(value):
    if isinstance(value, dict):
        return "{" + ", ".join(f"{sorted_text(k)}: {sorted_text(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(sorted_text(v) for v in sorted(value, key=lambda x: str(x))) + "]"
    return str(value)


def images_for(images, region):
    base = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return {
        name: image.format(account_id=ACCOUNTS[region], region=region, base=base)
        if "sagemaker-tritonserver" in image
        else image
        for name, image in images.items()
    }


def case(name, agent, custom, inputs, service=None):
    service = service or ("sagemaker" if agent == "sagemaker-endpoint" else custom["service"])
    config = copy.deepcopy(custom["config"])
    if agent == "boto":
        config = ints(config)
    values = {"inputs": plain_inputs(inputs)}
    region = values["inputs"].get("region") or custom.get("region")
    if custom.get("images"):
        values["images"] = images_for(custom["images"], region)
    rendered = render(service, config, values)
    token = ""
    text = None
    if "idempotence_token" in str(rendered):
        text = sorted_text(rendered)
        token = xxhash.xxh64(text).hexdigest()
        rendered = render(service, rendered, values, token)
    return {
        "name": name,
        "agent": agent,
        "custom": custom,
        "inputs": inputs,
        "sortedText": text,
        "token": token,
        "rendered": rendered,
    }


CASES = [
    case(
        "create_model as in flytekit's README, with the workflow's token suffix",
        "boto",
        {
            "service": "sagemaker",
            "method": "create_model",
            "region": "us-east-2",
            "images": {"deployment_image": "123456789012.dkr.ecr.us-east-2.amazonaws.com/xgboost:1.7"},
            "config": {
                "ModelName": "xgboost-{idempotence_token}",
                "PrimaryContainer": {"Image": "{images.deployment_image}", "ModelDataUrl": "{inputs.model_path}"},
                "ExecutionRoleArn": "{inputs.execution_role_arn}",
            },
        },
        {
            "model_path": {"string": "s3://models/xgboost/model.tar.gz"},
            "execution_role_arn": {"string": "arn:aws:iam::123456789012:role/sagemaker-exec"},
        },
    ),
    case(
        "create_endpoint_config with floats in custom, a list of variants and the previous token",
        "boto",
        {
            "service": "sagemaker",
            "method": "create_endpoint_config",
            "region": "us-east-2",
            "images": None,
            "config": {
                "EndpointConfigName": "xgboost-endpoint-config-{idempotence_token}",
                "ProductionVariants": [
                    {
                        "VariantName": "variant-name-1",
                        "ModelName": "xgboost-{inputs.idempotence_token}",
                        "InitialInstanceCount": 1.0,
                        "InitialVariantWeight": 0.5,
                        "InstanceType": "{inputs.instance_type}",
                    },
                    {
                        "VariantName": "variant-name-0",
                        "ModelName": "xgboost-{inputs.idempotence_token}",
                        "InitialInstanceCount": 2.0,
                        "InitialVariantWeight": 1.5,
                        "InstanceType": "ml.t2.medium",
                    },
                ],
                "AsyncInferenceConfig": {"OutputConfig": {"S3OutputPath": "s3://models/async-output/"}},
            },
        },
        {"instance_type": {"string": "ml.m4.xlarge"}, "idempotence_token": {"string": "a1b2c3d4e5f60718"}},
    ),
    case(
        "sagemaker-endpoint as create_sagemaker_deployment writes it",
        "sagemaker-endpoint",
        {
            "config": {
                "EndpointName": "xgboost-endpoint-{idempotence_token}",
                "EndpointConfigName": "xgboost-endpoint-config-{inputs.idempotence_token}",
            },
            "region": "us-east-2",
        },
        {"idempotence_token": {"string": "0f1e2d3c4b5a6978"}},
    ),
    case(
        "a name cut to 63 characters by shortening the token",
        "boto",
        {
            "service": "sagemaker",
            "method": "create_model",
            "region": "eu-west-1",
            "images": None,
            "config": {
                "ModelName": "a-rather-long-model-name-for-the-sixty-three-limit-{idempotence_token}",
                "ExecutionRoleArn": "arn:aws:iam::123456789012:role/exec",
                "PrimaryContainer": {"Image": "img", "ModelDataUrl": "s3://m/model.tar.gz"},
            },
        },
        {},
    ),
    case(
        "tritonserver image from the per-region account table, region from an input",
        "boto",
        {
            "service": "sagemaker",
            "method": "create_model",
            "region": "us-east-1",
            "images": {
                "primary": "{account_id}.dkr.ecr.{region}.{base}/sagemaker-tritonserver:21.08-py3",
                "other": "public.ecr.aws/acme/server:{region}",
            },
            "config": {
                "ModelName": "triton-{idempotence_token}",
                "PrimaryContainer": {"Image": "{images.primary}", "Environment": {"SIDE": "{images.other}"}},
                "ExecutionRoleArn": "arn:aws:iam::123456789012:role/exec",
            },
        },
        {"region": {"string": "cn-north-1"}},
    ),
    case(
        "python text of booleans, None, non-integral floats, ints from inputs, tags sorted by their text",
        "boto",
        {
            "service": "sagemaker",
            "method": "create_model",
            "region": "eu-west-1",
            "images": None,
            "config": {
                "ModelName": "m-{idempotence_token}",
                "EnableNetworkIsolation": True,
                "VpcConfig": None,
                "ExecutionRoleArn": "{inputs.role}",
                "PrimaryContainer": {
                    "Image": "img",
                    "Environment": {"THRESHOLD": "{inputs.threshold}", "WORKERS": "{inputs.workers}", "ON": "{inputs.on}"},
                },
                "Tags": [
                    {"Key": "team", "Value": "ml"},
                    {"Key": "env", "Value": "prod"},
                    {"Key": "cost", "Value": "{inputs.workers}"},
                ],
                "Extra": ["b", "a", "C", "{inputs.ratio}"],
                "Weights": [10.0, 9.0, 0.25],
            },
        },
        {
            "role": {"string": "arn:aws:iam::123456789012:role/exec"},
            "threshold": {"float": 0.75},
            "workers": {"integer": 4},
            "on": {"boolean": True},
            "ratio": {"float": 2.5},
        },
    ),
    case(
        "no token placeholder: the token is empty",
        "boto",
        {
            "service": "sagemaker",
            "method": "delete_endpoint",
            "region": "us-east-2",
            "images": None,
            "config": {"EndpointName": "{inputs.endpoint_name}"},
        },
        {"endpoint_name": {"string": "xgboost-endpoint-0f1e2d3c4b5a6978"}},
    ),
]

json.dump({"generatedBy": "scripts/make-token-fixtures.py", "python": sys.version.split()[0], "xxhash": xxhash.VERSION, "cases": CASES}, sys.stdout, indent=2)
sys.stdout.write("\n")
