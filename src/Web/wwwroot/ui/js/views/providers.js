export const providers = ['aliyun', 'tencent', 'ronglian', 'twilio', 'vonage', 'huawei', 'baidu', 'generic'];
