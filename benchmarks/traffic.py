"""A seeded generator of chat traffic that looks like a Chinese messaging service's.

Most messages are ordinary chat built from phrase pools (family, work, friends, shopping,
delivery and bank notices, games, food and plans) with emoji, a little traditional script and
full-width text; a few percent are scam-like (mine-sweeping red envelopes, investment shills,
account rental). Lengths are log-normal around 40 characters, clipped to 5..500.

>>> from benchmarks.traffic import generate
>>> messages = generate(1000, seed=7)
>>> len(messages), messages == generate(1000, seed=7)
(1000, True)
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Message", "generate", "long_messages"]

MEDIAN_LENGTH = 40
SIGMA = 0.7
MIN_LENGTH, MAX_LENGTH = 5, 500
SCAM_SHARE = 0.03
TRADITIONAL_SHARE = 0.04
FULLWIDTH_SHARE = 0.03
EMOJI_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    label: str  # "clean" or "scam"
    kind: str  # the phrase pool it came from


NAMES = [
    "小王",
    "老李",
    "张姐",
    "阿明",
    "妈",
    "爸",
    "老婆",
    "宝贝",
    "王总",
    "刘经理",
    "小陈",
    "二姨",
    "舅舅",
    "表哥",
    "老师",
    "班长",
    "大伟",
    "晓晓",
    "婷婷",
    "浩子",
]
PLACES = [
    "公司",
    "家里",
    "学校",
    "医院",
    "地铁站",
    "小区门口",
    "超市",
    "万达",
    "高铁站",
    "机场",
    "楼下",
    "食堂",
    "健身房",
    "菜市场",
    "图书馆",
]

POOLS: dict[str, list[str]] = {
    "family": [
        "妈，我到家了",
        "晚饭吃什么",
        "爸的药记得按时吃",
        "周末回家吃饭吗",
        "孩子今天发烧了",
        "明天降温多穿点衣服",
        "奶奶身体好多了",
        "我下班去接孩子",
        "家长会几点开始",
        "冰箱里还有饺子",
        "记得交电费",
        "妹妹考试考得不错",
        "过年回老家的票买了吗",
        "你到{place}了吗",
        "今天{name}来家里吃饭",
        "别忘了带钥匙",
        "煲了汤，早点回来",
        "孩子的作业签字了吗",
        "外婆生日要准备礼物",
        "早点睡觉别熬夜",
        "给你发了个红包，买点好吃的",
        "新年快乐，红包收到了吗",
        "宝宝会叫妈妈了",
        "周日一起去爬山吧",
    ],
    "work": [
        "下午三点开会，别迟到",
        "报告我发你邮箱了",
        "这个需求明天能上线吗",
        "{name}请假了，帮忙顶一下",
        "客户那边回复了",
        "方案再改一版",
        "周报记得今天交",
        "会议室订好了",
        "合同已经盖章",
        "出差报销单填一下",
        "服务器又挂了",
        "代码review一下",
        "PPT第五页有个错字",
        "项目进度同步一下",
        "年终总结写了吗",
        "新同事明天入职",
        "今晚加班，晚饭自理",
        "领导说方案可以",
        "打卡系统坏了",
        "财务说发票要重开",
        "下周一面试三个候选人",
        "这个bug复现不了",
        "季度目标定了吗",
        "OK，收到",
    ],
    "friends": [
        "哈哈哈笑死我了",
        "周末去看电影吗",
        "最近怎么样",
        "好久不见，出来聚聚",
        "这家店真的好吃",
        "我在{place}等你",
        "生日快乐！",
        "你看那个新剧了吗",
        "一起去唱K吧",
        "明天几点出发",
        "照片发群里了",
        "晚上吃火锅还是烧烤",
        "我先撤了，拜拜",
        "这也太离谱了吧",
        "真羡慕你",
        "帮我带杯奶茶",
        "你说得对",
        "刚才信号不好",
        "微信语音打不通",
        "加一下我新微信号",
        "我换手机号了",
        "太好笑了",
        "在吗",
        "嗯嗯好的",
        "晚安",
    ],
    "shopping": [
        "这件衣服打折吗",
        "双十一买了好多东西",
        "拼多多砍一刀帮我点一下",
        "这个链接你看看",
        "淘宝下单了",
        "退货运费谁出",
        "优惠券领了吗",
        "满300减50",
        "这个颜色有货吗",
        "质量还不错",
        "买一送一划算",
        "京东自营明天到",
        "直播间抢到了",
        "价格比上次便宜",
        "尺码偏小，建议拍大一码",
        "店家说48小时发货",
        "退款到账了",
        "会员日有折扣",
    ],
    "delivery": [
        "【菜鸟驿站】您的包裹已到{place}，取件码{code}",
        "【顺丰速运】快递员正在派送，电话{phone}",
        "您的外卖已送达，祝您用餐愉快",
        "骑手正在赶往商家",
        "【京东】您的订单已签收",
        "快递放门口了",
        "【中通快递】您的快件已到达驿站，凭{code}取件",
        "外卖小哥说还有五分钟",
    ],
    "bank": [
        "【招商银行】您尾号{code}的账户于{date}入账工资人民币{amount}元",
        "【工商银行】您尾号{code}卡{date}快捷支付支出{amount}元，余额{amount}元",
        "【建设银行】您的信用卡本期账单{amount}元，还款日{date}",
        "【支付宝】您已成功还款{amount}元",
        "【微信支付】您有一笔{amount}元的转账待收取",
        "【中国银行】动账提醒：支出{amount}元",
        "【银行】请勿向任何人透露验证码{code}，谨防诈骗",
    ],
    "games": [
        "王者荣耀来一把",
        "今晚上分冲星耀",
        "打野别送了",
        "开黑吗，五排",
        "我连跪三把了",
        "原神抽到新角色了",
        "吃鸡决赛圈",
        "这赛季段位掉了",
        "辅助跟紧我",
        "带我上王者",
        "游戏更新了",
        "队友太坑了",
        "今晚排位",
        "刚才那波团战漂亮",
    ],
    "food": [
        "中午吃麻辣烫吗",
        "这家火锅排队两小时",
        "奶茶第二杯半价",
        "明早吃包子",
        "周五聚餐订好了",
        "晚上去{place}附近吃烤鱼",
        "点个外卖吧",
        "烧烤配啤酒",
        "减肥失败，又吃多了",
        "今天做了红烧肉",
        "楼下新开了面馆",
        "水果店榴莲打折",
    ],
}

SCAM_POOLS: dict[str, list[str]] = {
    "red_envelope": [
        "扫雷群招人，包尾中雷赔1.8倍",
        "庄家抽水5%，上分找财务",
        "10包1.5倍，雷号看尾数",
        "红包接龙，最小的发下一个",
        "进群先发100包暖场",
        "埋雷玩法，中雷即赔",
        "上下分秒到，24小时在线",
        "扫lei群，日赚几百",
        "牛牛红包群，庄家通杀",
        "单雷1.6倍，双雷翻倍",
        "财务在线，秒上秒下",
        "今晚红包局，抢到就是赚到",
        "群规：包尾中雷自觉赔付",
    ],
    "investment": [
        "老师带单，日收益20%",
        "内部消息，明天涨停",
        "跟着导师操作，稳赚不赔",
        "数字货币保本高收益",
        "加群领取牛股",
        "上周跟单的都翻倍了",
        "名额有限，先到先得",
        "投资理财，一天回本",
        "平台有漏洞，现在进场",
        "导师免费指导，带你实现财富自由",
        "USDT搬砖，稳定收益",
        "充值送彩金，提现秒到",
        "原始股内部认购",
    ],
    "account": [
        "出租微信号，日结200元",
        "长期回收QQ号，价格美丽",
        "高价收购微信，秒结",
        "实名号出租，一天50",
        "vx租号，不用本人操作",
        "收老号，三年以上优先",
        "出*租*微*信，私聊",
        "回收各类账号，现结",
        "V信出租，有意者加我",
        "支付宝账户出租，日赚",
        "批量收购抖音号",
    ],
}

FILLERS = [
    "",
    "",
    "",
    "哈哈",
    "嗯",
    "好的",
    "对了，",
    "那个",
    "然后",
    "其实",
    "你知道吗，",
    "说真的，",
    "刚刚",
    "今天",
    "明天",
    "等下",
]
EMOJI = [
    "😂",
    "👍",
    "🙏",
    "❤️",
    "😭",
    "🤣",
    "🎉",
    "😊",
    "🧧",
    "💰",
    "🔥",
    "😅",
    "👌",
    "[微笑]",
    "[捂脸]",
    "👨‍👩‍👧",
    "🇨🇳",
    "✨",
]
PUNCT = ["，", "。", "！", "？", " ", "~", "…", "，", "。", "\n"]
WEIGHTS = {
    "family": 20,
    "work": 18,
    "friends": 17,
    "shopping": 11,
    "delivery": 8,
    "bank": 6,
    "games": 9,
    "food": 11,
}

_T2S = (
    "们們这這说說时時会會来來个個过過还還没沒开開东東车車门門间間话話钱錢给給买買卖賣点點电電"
    "号號红紅发發现現让讓对對样樣里裡机機关關长長见見办辦问問学學经經业業单單万萬为為动動后後"
    "头頭边邊进進运運达達邮郵货貨递遞银銀账帳户戶余餘额額转轉游遊戏戲级級队隊战戰吗嗎饭飯课課"
)
TRADITIONAL = str.maketrans({_T2S[i]: _T2S[i + 1] for i in range(0, len(_T2S), 2)})
FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def _fill(rng: random.Random, phrase: str) -> str:
    if "{" not in phrase:
        return phrase
    return phrase.format(
        name=rng.choice(NAMES),
        place=rng.choice(PLACES),
        code=f"{rng.randrange(10000):04d}",
        phone=f"1{rng.randrange(30, 90)}{rng.randrange(10**8):08d}",
        date=f"{rng.randrange(1, 13):02d}月{rng.randrange(1, 29):02d}日",
        amount=f"{rng.randrange(1, 20000)}.{rng.randrange(100):02d}",
    )


def _length(rng: random.Random) -> int:
    value = rng.lognormvariate(math.log(MEDIAN_LENGTH), SIGMA)
    return max(MIN_LENGTH, min(MAX_LENGTH, round(value)))


def _compose(
    rng: random.Random, pool: Sequence[str], target: int, mix: Sequence[str] | None = None
) -> str:
    parts: list[str] = []
    size = 0
    while size < target:
        source = mix if mix is not None and rng.random() < 0.3 else pool
        piece = rng.choice(FILLERS) + _fill(rng, rng.choice(source))
        if rng.random() < 0.15:
            piece += rng.choice(EMOJI)
        piece += rng.choice(PUNCT)
        parts.append(piece)
        size += len(piece)
    text = "".join(parts)[:target]
    return text.strip() or text


def generate(count: int, *, seed: int = 2026, scam_share: float = SCAM_SHARE) -> list[Message]:
    """``count`` messages, the same for the same ``seed``."""
    rng = random.Random(seed)
    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    everyday = [p for pool in POOLS.values() for p in pool]
    messages: list[Message] = []
    for _ in range(count):
        target = _length(rng)
        if rng.random() < scam_share:
            kind = rng.choice(list(SCAM_POOLS))
            text = _compose(rng, SCAM_POOLS[kind], target, mix=everyday)
            label = "scam"
        else:
            kind = rng.choices(kinds, weights)[0]
            text = _compose(rng, POOLS[kind], target, mix=everyday)
            label = "clean"
        if rng.random() < EMOJI_SHARE:
            text = rng.choice(EMOJI) + text if rng.random() < 0.3 else text + rng.choice(EMOJI)
        if rng.random() < TRADITIONAL_SHARE:
            text = text.translate(TRADITIONAL)
        if rng.random() < FULLWIDTH_SHARE:
            text = text.translate(FULLWIDTH)
        messages.append(Message(text[:MAX_LENGTH], label, kind))
    return messages


def long_messages(count: int, length: int, *, seed: int = 2026) -> list[str]:
    """``count`` messages of exactly ``length`` characters, chat concatenated and cut."""
    source = generate(count * (length // 20 + 2), seed=seed)
    result: list[str] = []
    buffer = ""
    for message in source:
        buffer += message.text
        if len(buffer) >= length:
            result.append(buffer[:length])
            buffer = ""
            if len(result) == count:
                break
    return result
