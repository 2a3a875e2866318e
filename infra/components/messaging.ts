import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secureDefaults } from "../secureDefaults";
import type { StackConfig } from "../stackConfig";
import type { AwsContext } from "./awsContext";
import { denyInsecureTransport } from "./policyStatements";

export interface MessagingArgs {
  context: AwsContext;
  messagingKeyArn: pulumi.Input<string>;
  phoneNumber: StackConfig["phoneNumber"];
  deletionProtection: boolean;
}

/**
 * End User Messaging and the inbound path (U1, S1–S3): the opt-out list, the configuration set,
 * the phone number with two-way SMS to the inbound SNS topic, and the topic itself (CMK,
 * SignatureVersion 2, a policy that lets only this account's sms-voice publish, over TLS only).
 * The HTTPS subscription is its own component (webhookSubscription.ts), created once the service
 * can confirm it.
 */
export class Messaging extends pulumi.ComponentResource {
  readonly optOutList: aws.pinpoint.Smsvoicev2OptOutList;
  readonly configurationSet: aws.pinpoint.Smsvoicev2ConfigurationSet;
  readonly inboundTopic: aws.sns.Topic;
  readonly phoneNumber: aws.pinpoint.Smsvoicev2PhoneNumber;

  constructor(name: string, args: MessagingArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:messaging:Messaging", name, {}, opts);
    const { tags, namePrefix, accountId, partition, region } = args.context;

    this.optOutList = new aws.pinpoint.Smsvoicev2OptOutList(
      `${name}-optouts`,
      { name: `${namePrefix}-optouts`, tags },
      { parent: this },
    );
    this.configurationSet = new aws.pinpoint.Smsvoicev2ConfigurationSet(
      `${name}-config-set`,
      { name: namePrefix, defaultMessageType: "TRANSACTIONAL", tags },
      { parent: this },
    );

    this.inboundTopic = new aws.sns.Topic(
      `${name}-inbound`,
      {
        name: `${namePrefix}-inbound-sms`,
        fifoTopic: false, // two-way SMS does not support FIFO topics
        kmsMasterKeyId: args.messagingKeyArn,
        signatureVersion: secureDefaults.snsSignatureVersion,
        tags,
      },
      { parent: this },
    );
    new aws.sns.TopicPolicy(
      `${name}-inbound-policy`,
      {
        arn: this.inboundTopic.arn,
        policy: aws.iam.getPolicyDocumentOutput({
          statements: [
            {
              sid: "EndUserMessagingPublishesInboundSms",
              principals: [{ type: "Service", identifiers: ["sms-voice.amazonaws.com"] }],
              actions: ["sns:Publish"],
              resources: [this.inboundTopic.arn],
              conditions: [
                { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
                {
                  test: "ArnLike",
                  variable: "aws:SourceArn",
                  values: [pulumi.interpolate`arn:${partition}:sms-voice:${region}:${accountId}:*`],
                },
              ],
            },
            denyInsecureTransport(
              ["sns:Publish", "sns:Subscribe", "sns:Receive"],
              [this.inboundTopic.arn],
            ),
          ],
        }).json,
      },
      { parent: this },
    );

    const phone = args.phoneNumber;
    // Toll-free and 10DLC numbers wait on carrier registration for days or weeks.
    const registrationGated = phone.type === "TOLL_FREE" || phone.type === "TEN_DLC";
    this.phoneNumber = new aws.pinpoint.Smsvoicev2PhoneNumber(
      `${name}-number`,
      {
        isoCountryCode: phone.isoCountryCode,
        messageType: "TRANSACTIONAL",
        numberCapabilities: ["SMS"],
        numberType: phone.type,
        ...(phone.registrationId ? { registrationId: phone.registrationId } : {}),
        optOutListName: this.optOutList.name,
        selfManagedOptOutsEnabled: phone.selfManagedOptOuts,
        twoWayChannelEnabled: true,
        twoWayChannelArn: this.inboundTopic.arn,
        deletionProtectionEnabled: args.deletionProtection,
        waitForActive: !registrationGated,
        tags,
      },
      { parent: this, ...(phone.importId ? { import: phone.importId } : {}) },
    );

    this.registerOutputs({
      phoneNumber: this.phoneNumber.phoneNumber,
      phoneNumberArn: this.phoneNumber.arn,
      inboundTopicArn: this.inboundTopic.arn,
      configurationSetName: this.configurationSet.name,
    });
  }
}
