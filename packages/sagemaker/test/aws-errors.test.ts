import { arnInMessage, classifyAwsError } from "../src/aws-errors";

const sdkError = (name: string, message: string, status: number, fault = "client") =>
  Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: status } });

test("classifies AWS's answers", () => {
  const kind = (err: unknown) => classifyAwsError(err).kind;
  expect(kind(sdkError("ThrottlingException", "Rate exceeded", 400))).toBe("unavailable");
  expect(kind(sdkError("InternalFailure", "oops", 500, "server"))).toBe("unavailable");
  expect(kind(sdkError("AccessDeniedException", "not authorized", 400))).toBe("denied");
  expect(kind(sdkError("InvalidSignatureException", "bad", 403))).toBe("unauthenticated");
  expect(kind(sdkError("ResourceLimitExceeded", "quota", 400))).toBe("quota");
  expect(
    kind(sdkError("ValidationException", 'Cannot create already existing model "arn:aws:sagemaker:us-east-1:1:model/m".', 400)),
  ).toBe("exists");
  expect(kind(sdkError("ValidationException", 'Could not find endpoint "e".', 400))).toBe("missing");
  expect(kind(sdkError("ValidationError", "Endpoint e of account 1 not found.", 400))).toBe("missing");
  expect(kind(sdkError("ValidationException", "1 validation error detected", 400))).toBe("invalid");
  expect(kind(sdkError("ModelError", "model said no", 424))).toBe("refused");
  expect(kind(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe("unavailable");
});

test("keeps credentials and AWS's canonical request out of the message", () => {
  const failure = classifyAwsError(
    sdkError(
      "InvalidSignatureException",
      "The request signature we calculated does not match. The Canonical String for this request should have been 'POST / x-amz-security-token:SESSIONTOKEN123'",
      403,
    ),
    ["SESSIONTOKEN123"],
  );
  expect(failure.message).toBe("The request signature we calculated does not match.");
  expect(classifyAwsError(sdkError("X", "key AKIAXYZ used", 400), ["AKIAXYZ"]).message).toBe("key [REDACTED] used");
});

test("finds the ARN in an already-existing answer", () => {
  expect(
    arnInMessage(
      'Cannot create already existing endpoint configuration "arn:aws:sagemaker:us-east-2:123456789012:endpoint-config/c-1".',
    ),
  ).toBe("arn:aws:sagemaker:us-east-2:123456789012:endpoint-config/c-1");
  expect(arnInMessage("Cannot create already existing model.")).toBeUndefined();
});
