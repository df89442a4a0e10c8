'use strict';
/**
 * An app `template_card` (button_interaction / text_notice) drawn as WeCom draws it, for the
 * gallery's card states (发送应用消息 template_card: source line, main title, sub-title, key/value
 * rows, buttons, or the grey replace_text once silenced).
 */
const { escapeHtml } = require('./wecom-html');

const SOURCE_COLORS = { 0: '#999', 1: '#999', 2: '#fa5151', 3: '#07c160' };

function cardHtml(card) {
  const rows = (card.horizontal_content_list ?? []).map((row) => `<div class="kv"><span class="k">${escapeHtml(row.keyname)}</span><span class="v">${escapeHtml(row.value)}</span></div>`).join('');
  const jumps = (card.jump_list ?? []).map((jump) => `<div class="jump">${escapeHtml(jump.title)} ›</div>`).join('');
  const buttons = card.replace_text
    ? `<div class="replaced">${escapeHtml(card.replace_text)}</div>`
    : (card.button_list ?? []).map((button) => `<span class="btn s${button.style}">${escapeHtml(button.text)}</span>`).join('');
  return `<div class="tcard"><div class="src" style="color:${SOURCE_COLORS[card.source?.desc_color ?? 0]}">● ${escapeHtml(card.source?.desc ?? '')}</div>
<div class="mt">${escapeHtml(card.main_title?.title ?? '')}</div>${card.sub_title_text ? `<div class="st">${escapeHtml(card.sub_title_text).replace(/\n/g, '<br>')}</div>` : ''}
${rows}${jumps}<div class="btns">${buttons}</div></div>`;
}

const CARD_CSS = `
.tcard{background:#fff;border-radius:8px;padding:12px 14px;width:300px;box-sizing:border-box;font:14px/1.5 "Noto Sans CJK SC",sans-serif}
.src{font-size:12px;margin-bottom:4px}.mt{font-weight:700;font-size:16px;margin-bottom:4px}.st{color:#666;font-size:13px;margin-bottom:8px}
.kv{display:flex;font-size:13px;padding:2px 0}.k{color:#999;width:70px;flex:none}.v{color:#333}
.jump{color:#576b95;font-size:13px;padding:4px 0;border-top:1px solid #f0f0f0;margin-top:4px}
.btns{display:flex;flex-wrap:wrap;gap:6px;margin-top:10px}.btn{padding:5px 10px;border-radius:4px;font-size:13px}
.btn.s1{background:#07c160;color:#fff}.btn.s2{background:#f2f2f2;color:#333}.btn.s3{background:#fa5151;color:#fff}
.replaced{color:#999;font-size:13px;width:100%;text-align:center;padding:6px 0;background:#f7f7f7;border-radius:4px}
.state{font-size:12px;color:#888;margin:14px 12px 4px}
`;

/** cardsPage: one screen with the card in each state, labelled. */
function cardsPage(title, states) {
  const body = states.map(({ label, card }) => `<div class="state">${escapeHtml(label)}</div><div style="padding:0 12px">${cardHtml(card)}</div>`).join('');
  return `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><style>body{margin:0;background:#ededed;width:375px;font-family:"Noto Sans CJK SC",sans-serif}.top{background:#f7f7f7;border-bottom:1px solid #ddd;padding:12px 14px;font-weight:600;text-align:center}${CARD_CSS}</style><body><div class="top">${escapeHtml(title)}</div>${body}<div style="height:12px"></div></body></html>`;
}

module.exports = { cardHtml, cardsPage };
