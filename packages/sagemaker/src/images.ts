import { TaskInputError } from "@flyte-agent/core";

/**
 * AWS accounts that publish the `sagemaker-tritonserver` images, by region (the table of
 * flytekit's SageMaker mixin). An image name holding `sagemaker-tritonserver` is completed with
 * `{account_id}`, `{region}` and `{base}` from it.
 */
export const TRITON_ACCOUNTS: Readonly<Record<string, string>> = {
  "us-east-1": "785573368785",
  "us-east-2": "007439368137",
  "us-west-1": "710691900526",
  "us-west-2": "301217895009",
  "eu-west-1": "802834080501",
  "eu-west-2": "205493899709",
  "eu-west-3": "254080097072",
  "eu-north-1": "601324751636",
  "eu-south-1": "966458181534",
  "eu-central-1": "746233611703",
  "ap-east-1": "110948597952",
  "ap-south-1": "763008648453",
  "ap-northeast-1": "941853720454",
  "ap-northeast-2": "151534178276",
  "ap-southeast-1": "324986816169",
  "ap-southeast-2": "355873309152",
  "cn-northwest-1": "474822919863",
  "cn-north-1": "472730292857",
  "sa-east-1": "756306329178",
  "ca-central-1": "464438896020",
  "me-south-1": "836785723513",
  "af-south-1": "774647643957",
};

const FIELD = /\{(account_id|region|base)\}/g;

/**
 * The `images` of a boto task as `{images.x}` sees them: `sagemaker-tritonserver` images get
 * the region's account, the region and the domain (`amazonaws.com.cn` in China regions); other
 * images are left as they are.
 */
export function resolveImages(images: unknown, region: string): Record<string, string> | undefined {
  if (images === undefined || images === null) return undefined;
  if (typeof images !== "object" || Array.isArray(images))
    throw new TaskInputError("custom.images must be a map of image names to images");
  const out: Record<string, string> = {};
  for (const [name, image] of Object.entries(images)) {
    if (typeof image !== "string") throw new TaskInputError(`custom.images.${name} must be a string`);
    if (!image.includes("sagemaker-tritonserver")) {
      out[name] = image;
      continue;
    }
    const account = TRITON_ACCOUNTS[region];
    if (!account) {
      throw new TaskInputError(
        `custom.images.${name} is a sagemaker-tritonserver image, which is not published in ${region}; regions with one: ${Object.keys(TRITON_ACCOUNTS).join(", ")}`,
      );
    }
    const values = { account_id: account, region, base: region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com" };
    out[name] = image.replace(FIELD, (_m, key: keyof typeof values) => values[key]);
  }
  return out;
}
