import { expect } from 'vitest';

/**
 * One standard zh-CN conversation (two matters, closed with a survey) and what the customer
 * should see, shared by the suites that replay it through different channels and processes.
 */
export const TWO_MATTERS = ['你好', '我的订单还没发货', '是的', '还有问题', '怎么开发票', '对', '没有了', '5'];

export function twoMattersReplies(): unknown[] {
  return [
    '您好\uff0c本店欢迎您的光临\uff01请问有什么可以帮您\uff1f',
    '您的意思是想了解订单什么时候发货\uff0c对吗\uff1f',
    expect.stringMatching(/^一般情况下/),
    '请问还有其他可以帮助您的吗\uff1f',
    '好的\uff0c请您说。',
    '您的意思是想开具发票\uff0c对吗\uff1f',
    expect.stringMatching(/^我们支持开具电子普通发票/),
    '请问还有其他可以帮助您的吗\uff1f',
    expect.stringMatching(/^感谢您的咨询\uff0c本次服务已为您记录/),
    expect.stringMatching(/^为了不断改进我们的服务/),
    '感谢您的评价\uff085 分\uff09\uff0c我们会继续努力的。祝您生活愉快\uff01',
  ];
}
