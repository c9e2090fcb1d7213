/** Email bodies (HTML + text) for one notification or a batch/digest of several. */
export interface MailItem {
  title: string;
  body: string;
  link?: string;
  createdAt: string;
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderMail(kind: 'immediate' | 'batched' | 'daily', items: MailItem[], unsubscribeUrl: string, unsubscribeWhat: string): RenderedMail {
  const subject =
    kind === 'immediate' ? `[Agentry] ${items[0].title}` : kind === 'daily' ? `[Agentry] Your daily digest: ${items.length} notification${items.length === 1 ? '' : 's'}` : `[Agentry] ${items.length} new notification${items.length === 1 ? '' : 's'}`;
  const textItems = items.map((i) => [`* ${i.title}`, i.body && `  ${i.body}`, i.link && `  ${i.link}`].filter(Boolean).join('\n')).join('\n\n');
  const text = `${textItems}\n\n--\nYou get this email because of your Agentry notification settings.\nUnsubscribe from ${unsubscribeWhat}: ${unsubscribeUrl}\n`;
  const htmlItems = items
    .map((i) => `<li><strong>${escapeHtml(i.title)}</strong>${i.body ? `<br>${escapeHtml(i.body)}` : ''}${i.link ? `<br><a href="${escapeHtml(i.link)}">Open in Agentry</a>` : ''}</li>`)
    .join('');
  const html = `<!doctype html><html><body style="font-family:sans-serif"><ul>${htmlItems}</ul><hr><p style="color:#666;font-size:12px">You get this email because of your Agentry notification settings. <a href="${escapeHtml(unsubscribeUrl)}">Unsubscribe from ${escapeHtml(unsubscribeWhat)}</a>.</p></body></html>`;
  return { subject, html, text };
}
