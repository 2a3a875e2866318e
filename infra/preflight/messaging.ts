import {
  DescribeAccountAttributesCommand,
  DescribeRegistrationsCommand,
  DescribeSpendLimitsCommand,
  type PinpointSMSVoiceV2Client,
} from "@aws-sdk/client-pinpoint-sms-voice-v2";
import type { StackConfig } from "../stackConfig";
import { couldNotCheck, errorName, missing, note, ok, type Finding } from "./finding";

/**
 * The account tier: DescribeAccountAttributes' ACCOUNT_TIER says whether End User Messaging is in
 * the sandbox (new accounts are) or in production. In the sandbox a real number sends only to
 * verified destinations (ConflictException DESTINATION_PHONE_NUMBER_NOT_VERIFIED); a simulator
 * number needs no more. Source: the DescribeAccountAttributes API reference and botocore's model.
 */
export async function checkSandbox(
  sms: PinpointSMSVoiceV2Client,
  config: StackConfig,
): Promise<Finding> {
  const CHECK = "End User Messaging account tier";
  let tier: string | undefined;
  try {
    const out = await sms.send(new DescribeAccountAttributesCommand({}));
    tier = out.AccountAttributes?.find((a) => a.Name === "ACCOUNT_TIER")?.Value;
  } catch (err) {
    return couldNotCheck(CHECK, "sms-voice:DescribeAccountAttributes", err);
  }
  // The model types the value as a plain string; any tier naming the sandbox counts as one.
  const sandboxed = tier === undefined || /sandbox/i.test(tier);
  if (!sandboxed) return ok(CHECK, `account tier ${tier}`);
  const detail = `account tier ${tier ?? "not reported"}: End User Messaging is in the SMS sandbox`;
  if (config.phoneNumber.type === "SIMULATOR") {
    return note(
      CHECK,
      `${detail} (fine for a SIMULATOR number)`,
      "before a stack with a real number, request production access: End User Messaging SMS console, Account settings, or a Support case for an SMS sandbox limit increase",
    );
  }
  return missing(
    CHECK,
    `${detail}: a ${config.phoneNumber.type} number could send only to verified destination numbers`,
    "request production access in the End User Messaging SMS console (Account settings) or with a Support case for an SMS sandbox limit increase",
  );
}

/**
 * The account's monthly text spend limit: sending stops at EnforcedLimit (raised up to MaxLimit
 * with SetTextMessageSpendLimitOverride, above it through Service Quotas). Source:
 * https://docs.aws.amazon.com/sms-voice/latest/userguide/spend-limit.html
 */
export async function checkSpendLimit(
  sms: PinpointSMSVoiceV2Client,
  config: StackConfig,
): Promise<Finding> {
  const CHECK = "End User Messaging text spend limit";
  let limit;
  try {
    const out = await sms.send(new DescribeSpendLimitsCommand({}));
    limit = out.SpendLimits?.find((l) => l.Name === "TEXT_MESSAGE_MONTHLY_SPEND_LIMIT");
  } catch (err) {
    return couldNotCheck(CHECK, "sms-voice:DescribeSpendLimits", err);
  }
  const budget = config.smsMonthlyBudgetUsd;
  if (!limit) {
    return missing(
      CHECK,
      "DescribeSpendLimits returned no TEXT_MESSAGE_MONTHLY_SPEND_LIMIT",
      "open the End User Messaging SMS console once in this region (it sets the account up), then run preflight again",
    );
  }
  const enforced = Number(limit.EnforcedLimit ?? 0);
  const max = Number(limit.MaxLimit ?? 0);
  if (enforced >= budget) {
    return ok(
      CHECK,
      `US$${enforced} a month enforced, at least smsMonthlyBudgetUsd (US$${budget})`,
    );
  }
  const fix =
    budget <= max
      ? `raise it: aws pinpoint-sms-voice-v2 set-text-message-spend-limit-override --region ${config.region} --monthly-limit ${budget}`
      : `request an increase of the account's SMS monthly spend limit (now US$${max}) to at least US$${budget} in Service Quotas or a Support case, then set the override to ${budget}; or lower smsMonthlyBudgetUsd`;
  return missing(
    CHECK,
    `sending stops at US$${enforced} a month, below smsMonthlyBudgetUsd (US$${budget})`,
    fix,
  );
}

/** What registration each number type sends under (RegistrationType values of the API). */
const REGISTRATION_TYPE: Record<"TOLL_FREE" | "TEN_DLC", RegExp> = {
  TOLL_FREE: /TOLL_FREE/,
  TEN_DLC: /TEN_DLC_CAMPAIGN/,
};

/**
 * TOLL_FREE and TEN_DLC numbers carry traffic only under an approved registration (status
 * COMPLETE). A SIMULATOR number and an adopted number (importPhoneNumberId) need none here.
 */
export async function checkRegistration(
  sms: PinpointSMSVoiceV2Client,
  config: StackConfig,
): Promise<Finding | undefined> {
  const CHECK = "End User Messaging registration";
  const type = config.phoneNumber.type;
  if (type === "SIMULATOR" || config.phoneNumber.importId !== undefined) return undefined;
  const id = config.phoneNumber.registrationId;
  if (id === undefined) {
    return note(
      CHECK,
      `no registrationId: the ${type} number will be requested without one and stay pending`,
      `create and submit a ${type === "TOLL_FREE" ? "toll-free" : "10DLC campaign"} registration for it (End User Messaging SMS console, Registrations); the number sends once it is approved`,
    );
  }
  let registration;
  try {
    const out = await sms.send(new DescribeRegistrationsCommand({ RegistrationIds: [id] }));
    registration = out.Registrations?.find(
      (r) => r.RegistrationId === id || r.RegistrationArn === id,
    );
  } catch (err) {
    if (errorName(err) !== "ResourceNotFoundException")
      return couldNotCheck(CHECK, "sms-voice:DescribeRegistrations", err);
  }
  if (!registration) {
    return missing(
      CHECK,
      `no registration ${id} in this account and region`,
      `set registrationId to the id of an approved ${type} registration (aws pinpoint-sms-voice-v2 describe-registrations --region ${config.region})`,
    );
  }
  if (!REGISTRATION_TYPE[type].test(registration.RegistrationType ?? "")) {
    return missing(
      CHECK,
      `registration ${id} is a ${registration.RegistrationType}, not one for a ${type} number`,
      `set registrationId to a ${type === "TOLL_FREE" ? "US_TOLL_FREE_REGISTRATION" : "US_TEN_DLC_CAMPAIGN_REGISTRATION"}`,
    );
  }
  if (registration.RegistrationStatus !== "COMPLETE") {
    return missing(
      CHECK,
      `registration ${id} is ${registration.RegistrationStatus}, not COMPLETE`,
      registration.RegistrationStatus === "REQUIRES_UPDATES" ||
        registration.RegistrationStatus === "CREATED"
        ? "update and submit it in the End User Messaging SMS console (Registrations), then wait for approval"
        : "wait for the carriers' approval (End User Messaging SMS console, Registrations, shows its progress); deploy once it is COMPLETE",
    );
  }
  return ok(CHECK, `registration ${id} (${registration.RegistrationType}) is COMPLETE`);
}
