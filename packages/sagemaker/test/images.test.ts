import { StatusCode } from "@flyte-agent/core";
import { resolveImages } from "../src/images";

test("fills sagemaker-tritonserver images from the per-region account table, other images stay", () => {
  expect(
    resolveImages(
      {
        triton: "{account_id}.dkr.ecr.{region}.{base}/sagemaker-tritonserver:23.02-py3",
        mine: "123456789012.dkr.ecr.us-west-2.amazonaws.com/mine:{region}",
      },
      "us-west-2",
    ),
  ).toEqual({
    triton: "301217895009.dkr.ecr.us-west-2.amazonaws.com/sagemaker-tritonserver:23.02-py3",
    mine: "123456789012.dkr.ecr.us-west-2.amazonaws.com/mine:{region}",
  });
  expect(resolveImages({ t: "{account_id}.dkr.ecr.{region}.{base}/sagemaker-tritonserver:1" }, "cn-northwest-1")).toEqual({
    t: "474822919863.dkr.ecr.cn-northwest-1.amazonaws.com.cn/sagemaker-tritonserver:1",
  });
  expect(resolveImages(null, "us-east-1")).toBeUndefined();
});

test("a tritonserver image in a region without one is INVALID_ARGUMENT naming the region", () => {
  expect(() => resolveImages({ t: "{account_id}.dkr.ecr.{region}.{base}/sagemaker-tritonserver:1" }, "eu-central-2")).toThrow(
    expect.objectContaining({
      code: StatusCode.INVALID_ARGUMENT,
      message: expect.stringMatching(
        /^custom\.images\.t is a sagemaker-tritonserver image, which is not published in eu-central-2/,
      ),
    }),
  );
  expect(() => resolveImages({ t: 5 }, "us-east-1")).toThrow(expect.objectContaining({ code: StatusCode.INVALID_ARGUMENT }));
});
