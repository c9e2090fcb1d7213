/**
 * A demo store catalogue (dozens of listings across categories) and the REST calls that load it into a running
 * instance: a creator profile, one small graph per listing, submitted and approved, some featured. Used by
 * `scripts/seed-store.ts` and by the browser test. Safe to run twice (existing names are skipped).
 */
const INPUT = 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b';
const TEMPLATE = 'db7d8f02-2f44-4c55-ab7a-eae0941f0c30';
const OUTPUT = '363ae599-353e-4804-937e-b2ee3cef3da4';

export interface DemoListing {
  name: string;
  subHeading: string;
  description: string;
  categories: string[];
  input: string;
  template: string;
  featured?: boolean;
}

const d = (name: string, categories: string[], subHeading: string, description: string, input: string, template: string, featured = false): DemoListing => ({ name, categories, subHeading, description, input, template, featured });

export const DEMO_CATALOGUE: DemoListing[] = [
  d('Inbox Zero Assistant', ['productivity'], 'Triage your email in minutes', 'Sorts incoming email into reply, delegate, archive and read-later, and drafts short replies for the ones that need you.', 'email', 'Triage plan for: {{ email }}', true),
  d('Meeting Notes Summarizer', ['productivity', 'writing'], 'Action items from any transcript', 'Turns a meeting transcript into decisions, owners and due dates, ready to paste into your tracker.', 'transcript', 'Summary of the meeting: {{ transcript }}', true),
  d('Daily Standup Writer', ['productivity', 'developer tools'], 'Yesterday, today, blockers', 'Collects your commits and tickets and writes a three-line standup update in your voice.', 'notes', 'Standup: {{ notes }}'),
  d('Calendar Defragmenter', ['productivity'], 'Find focus time', 'Suggests how to move meetings so you get two-hour focus blocks every day.', 'calendar', 'Focus plan for {{ calendar }}'),
  d('Weekly Report Builder', ['productivity', 'writing'], 'Status reports without the dread', 'Builds a weekly status report from bullet points, with highlights, risks and next steps.', 'bullets', 'Weekly report: {{ bullets }}'),
  d('SEO Blog Post Writer', ['marketing', 'writing'], 'Rank for the keywords that matter', 'Researches a keyword, outlines the article and writes a 1,500-word post with headings and meta description.', 'keyword', 'SEO article about {{ keyword }}', true),
  d('Tweet Thread Composer', ['marketing', 'social media'], 'From idea to thread', 'Turns a blog post or idea into a punchy 8-tweet thread with a hook and a call to action.', 'idea', 'Thread: {{ idea }}'),
  d('LinkedIn Post Polisher', ['marketing', 'social media'], 'Professional, never cringe', 'Rewrites a draft post for LinkedIn with a strong first line and readable spacing.', 'draft', 'LinkedIn version of: {{ draft }}'),
  d('Ad Copy Variations', ['marketing'], 'Ten headlines to A/B test', 'Generates ten ad headline and description pairs for Google and Meta ads from one product blurb.', 'product', 'Ad copy for {{ product }}'),
  d('Newsletter Curator', ['marketing', 'research'], 'The week in your niche', 'Picks the five most relevant stories of the week for your audience and writes the newsletter intro.', 'niche', 'Newsletter on {{ niche }}'),
  d('Competitor Watch', ['research', 'sales'], 'Know what they shipped', 'Checks competitor changelogs and pricing pages and reports what changed since last week.', 'competitor', 'Changes at {{ competitor }}', true),
  d('Academic Paper Explainer', ['research', 'education'], 'Papers in plain English', 'Explains a research paper: the question, the method, the result and why it matters, for a curious non-expert.', 'paper', 'Explanation of {{ paper }}'),
  d('Market Sizing Analyst', ['research', 'finance'], 'TAM, SAM, SOM in one go', 'Estimates the market size for an idea bottom-up and top-down, showing every assumption.', 'idea', 'Market size for {{ idea }}'),
  d('Deep Web Researcher', ['research'], 'Sources, not guesses', 'Searches the web, reads the top sources and writes a cited brief on any question.', 'question', 'Research brief: {{ question }}'),
  d('Patent Prior-Art Finder', ['research', 'legal'], 'Search before you file', 'Lists likely prior art for an invention description with the claims that overlap.', 'invention', 'Prior art for {{ invention }}'),
  d('Invoice Data Extractor', ['finance', 'productivity'], 'PDF invoices to rows', 'Reads invoices and extracts vendor, date, line items, tax and total into a spreadsheet row.', 'invoice', 'Extracted: {{ invoice }}', true),
  d('Expense Categorizer', ['finance'], 'Clean books, less effort', 'Assigns bank transactions to your chart of accounts and flags the unusual ones.', 'transactions', 'Categorized: {{ transactions }}'),
  d('Earnings Call Digest', ['finance', 'research'], 'The quarter in five bullets', 'Summarizes an earnings call transcript: guidance, surprises, tone and analyst concerns.', 'company', 'Earnings digest for {{ company }}'),
  d('Budget Planner', ['finance', 'personal'], 'A plan you can keep', 'Builds a monthly budget from your income and goals using the 50/30/20 rule, with adjustments.', 'income', 'Budget for an income of {{ income }}'),
  d('Code Review Buddy', ['developer tools'], 'A second pair of eyes', 'Reviews a diff for bugs, security issues and readability, with concrete suggestions.', 'diff', 'Review of {{ diff }}', true),
  d('Commit Message Writer', ['developer tools'], 'Conventional commits, always', 'Writes a conventional-commit message from a diff, with a concise body explaining why.', 'diff', 'feat: {{ diff }}'),
  d('SQL Query Helper', ['developer tools', 'data'], 'Describe it, get the query', 'Turns a question in English into SQL for your schema and explains the joins.', 'question', 'SELECT … -- {{ question }}'),
  d('API Docs Generator', ['developer tools', 'writing'], 'Docs from your OpenAPI file', 'Writes friendly reference docs and examples from an OpenAPI document.', 'spec', 'Docs for {{ spec }}'),
  d('Incident Postmortem Drafter', ['developer tools', 'productivity'], 'Blameless, thorough, fast', 'Drafts a blameless postmortem from a timeline: impact, root cause, and follow-ups.', 'timeline', 'Postmortem: {{ timeline }}'),
  d('Lead Qualifier', ['sales'], 'Focus on the right accounts', 'Scores inbound leads against your ideal customer profile and explains each score.', 'lead', 'Lead score for {{ lead }}'),
  d('Cold Email Personalizer', ['sales', 'writing'], 'Openers that get replies', 'Writes a personal first line for each prospect from their website and recent news.', 'prospect', 'Hi {{ prospect }}, …'),
  d('CRM Note Cleaner', ['sales', 'productivity'], 'Tidy notes after every call', 'Turns messy call notes into a structured CRM update: pains, budget, timeline, next step.', 'notes', 'CRM update: {{ notes }}'),
  d('Customer Support Replier', ['customer support'], 'Kind, correct, on-brand', 'Drafts support replies from your help center articles, with the right tone and links.', 'ticket', 'Reply to: {{ ticket }}', true),
  d('Review Sentiment Tracker', ['customer support', 'data'], 'What customers really say', 'Groups product reviews into themes and tracks sentiment per theme over time.', 'reviews', 'Themes in {{ reviews }}'),
  d('FAQ Builder', ['customer support', 'writing'], 'Answers before they ask', 'Builds an FAQ page from your last hundred support tickets.', 'tickets', 'FAQ from {{ tickets }}'),
  d('Lesson Plan Creator', ['education'], 'A class ready in minutes', 'Creates a lesson plan with objectives, activities and a short quiz for any topic and grade.', 'topic', 'Lesson plan: {{ topic }}'),
  d('Flashcard Maker', ['education'], 'Study smarter', 'Turns notes into spaced-repetition flashcards, exportable to Anki.', 'notes', 'Flashcards from {{ notes }}'),
  d('Language Tutor', ['education', 'fun'], 'Practice a conversation', 'Role-plays a conversation in the language you are learning and corrects you gently.', 'language', 'Let us practice {{ language }}'),
  d('Recipe From Fridge', ['personal', 'fun'], 'Dinner from what you have', 'Suggests three recipes from the ingredients in your fridge, with a shopping list for extras.', 'ingredients', 'Recipes with {{ ingredients }}'),
  d('Travel Itinerary Planner', ['personal'], 'Trips without the tabs', 'Plans a day-by-day itinerary with travel times, bookings to make and rainy-day options.', 'destination', 'Itinerary for {{ destination }}', true),
  d('Bedtime Story Generator', ['fun', 'writing'], 'A new story every night', 'Writes a gentle bedtime story starring your child and their favourite toy.', 'hero', 'Once upon a time, {{ hero }}…'),
  d('Contract Clause Explainer', ['legal'], 'Know what you sign', 'Explains contract clauses in plain language and flags the unusual or one-sided ones.', 'clause', 'In plain words: {{ clause }}'),
  d('Privacy Policy Checker', ['legal', 'developer tools'], 'GDPR gaps at a glance', 'Checks a privacy policy against GDPR articles and lists what is missing.', 'policy', 'Gaps in {{ policy }}'),
  d('CSV Insight Finder', ['data'], 'Charts and findings from a file', 'Finds trends, outliers and correlations in a CSV and explains them in plain words.', 'csv', 'Insights from {{ csv }}'),
  d('Dashboard Narrator', ['data', 'writing'], 'Metrics into a story', 'Writes the weekly narrative for a metrics dashboard: what moved, and why it might have.', 'metrics', 'This week: {{ metrics }}'),
];

export function demoGraph(item: DemoListing) {
  return {
    name: item.name,
    description: item.description,
    nodes: [
      { id: 'in', blockId: INPUT, inputDefault: { name: item.input }, metadata: { position: { x: 0, y: 0 } } },
      { id: 'fill', blockId: TEMPLATE, inputDefault: { format: item.template, values: {} }, metadata: { position: { x: 300, y: 0 } } },
      { id: 'out', blockId: OUTPUT, inputDefault: { name: 'result' }, metadata: { position: { x: 600, y: 0 } } },
    ],
    links: [
      { sourceId: 'in', sourceName: 'result', sinkId: 'fill', sinkName: `values_#_${item.input}`, isStatic: false },
      { sourceId: 'fill', sourceName: 'output', sinkId: 'out', sinkName: 'value', isStatic: false },
    ],
  };
}

type Json = { id: string; version: number; code?: string; detail?: string; items: Array<{ name: string }> };

async function call(base: string, token: string, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = (text ? JSON.parse(text) : undefined) as Json | undefined;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json?.code ?? ''} ${json?.detail ?? text}`);
  return json as Json;
}

/** Seeds the catalogue as the signed-in store admin; returns how many listings were created. */
export async function seedStore(base: string, token: string, items: DemoListing[] = DEMO_CATALOGUE): Promise<number> {
  await call(base, token, 'PUT', '/store/me/profile', { handle: 'agentry-labs', name: 'Agentry Labs', bio: 'Demo agents that show what the platform can do.', links: ['https://agentry.dev'] }).catch(() => undefined);
  const existing = new Set((await call(base, token, 'GET', '/store/my/listings')).items.map((l) => l.name));
  let created = 0;
  for (const item of items) {
    if (existing.has(item.name)) continue;
    const graph = await call(base, token, 'POST', '/graphs', demoGraph(item));
    const listing = await call(base, token, 'POST', '/store/listings', { graphId: graph.id, graphVersion: graph.version, name: item.name, subHeading: item.subHeading, description: item.description, categories: item.categories });
    await call(base, token, 'POST', `/store/listings/${listing.id}/versions/1/review`, { decision: 'APPROVE', reason: 'demo catalogue' });
    if (item.featured) await call(base, token, 'PUT', `/store/listings/${listing.id}/featured`, { featured: true });
    created++;
  }
  return created;
}

