export { startFakeServers, FAKE_ALIASES, type FakeServers, type RunningFake } from './fakes/start';
export { startFakeOpenAi, INVALID_KEY_PREFIX, type FakeLlmServer } from './fakes/openai';
export { startFakeAnthropic } from './fakes/anthropic';
export { startFakeOllama } from './fakes/ollama';
export { startFakeWeb, FAKE_RSS, FAKE_ATOM, FAKE_PAGE, type FakeWebServer } from './fakes/web';
export { startFakeSmtp, type CapturedMail, type FakeSmtpServer } from './fakes/smtp';
export { startFakeProxy, type FakeProxyServer } from './fakes/proxy';
export { decideReply, type ScriptedReply } from './fakes/llm-brain';
export { listen, newApp, recorder, type FakeServer, type RecordedRequest } from './fakes/http';
