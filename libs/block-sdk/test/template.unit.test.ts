import { renderTemplate, templateVariables } from '../src';

describe('renderTemplate', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['{{a}}-{{ a }}-{{  a | safe }}', { a: 'x' }, 'x-x-x'],
    ['[{{ missing }}]', {}, '[]'],
    ['{{ n }} {{ flag }} {{ obj }}', { n: 3, flag: true, obj: { k: [1] } }, '3 true {"k":[1]}'],
    [
      '{{ user.name }} {{ user["full name"] }} {{ items[1] }}',
      { user: { name: 'a', 'full name': 'A B' }, items: ['x', 'y'] },
      'a A B y',
    ],
    [
      '{{ s | upper }} {{ s | title }} {{ l | join(", ") }} {{ l | length }}',
      { s: 'hello world', l: [1, 2] },
      'HELLO WORLD Hello World 1, 2 2',
    ],
    ['{{ x | default("none") }} {{ v | tojson }}', { v: 'q"' }, 'none "q\\""'],
    ['{{ data.status }}', { data: '{"status": "ok"}' }, 'ok'],
    ['{% if a %}kept{% endif %} {{ 1 + 2 }}', { a: 1 }, '{% if a %}kept{% endif %} {{ 1 + 2 }}'],
  ])('%s', (template, values, expected) => expect(renderTemplate(template, values)).toBe(expected));

  it('escapes HTML unless marked safe', () => {
    expect(renderTemplate('{{ h }}|{{ h | safe }}', { h: '<b>&</b>' }, { escapeHtml: true })).toBe(
      '&lt;b&gt;&amp;&lt;/b&gt;|<b>&</b>',
    );
  });

  it('lists the variables a template reads', () => {
    expect(templateVariables('{{ a }} {{b.c}} {{ a | upper }} {{ 1 }}')).toEqual(['a', 'b']);
  });
});
