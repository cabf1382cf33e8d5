// clients.mjs drives a gateway with the Node SDKs people use: openai,
// @anthropic-ai/sdk and the Vercel AI SDK (ai + @ai-sdk/openai). It reads a
// JSON list of scenarios (the file named by argv[2], or stdin), runs them one
// after another (a test may have scheduled a fake's faults in that order) and
// prints one JSON line per scenario:
//
//   {"name": ..., "ok": true, "value": {...}}
//   {"name": ..., "ok": false, "error": {"name", "status", "type", "message"}}
//
// so the Go side (node_test.go) asserts on the values. A scenario is
// {name, sdk, op, baseURL, model, prompt, ...}; see run() for the ops.
import { readFileSync } from "node:fs";

import Anthropic from "@anthropic-ai/sdk";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, jsonSchema, streamText, tool } from "ai";
import OpenAI from "openai";

// Warnings would go to the console; stdout carries only results.
globalThis.AI_SDK_LOG_WARNINGS = false;

const apiKey = "sk-client-key";
const timeout = 20_000;

const lookup = {
  name: "lookup",
  description: "Looks things up",
  parameters: {
    type: "object",
    properties: { q: { type: "string" } },
    required: ["q"],
  },
};

// Every client gets no retries, so an error is seen once, and a timeout.
const openaiClient = (s) => new OpenAI({ baseURL: s.baseURL, apiKey, maxRetries: 0, timeout });
const anthropicClient = (s) => new Anthropic({ baseURL: s.baseURL, apiKey, maxRetries: 0, timeout });

const ops = {
  openai: {
    async chat(s) {
      const r = await openaiClient(s).chat.completions.create({
        model: s.model,
        messages: [{ role: "user", content: s.prompt }],
      });
      return { text: r.choices[0]?.message?.content, finish_reason: r.choices[0]?.finish_reason, total_tokens: r.usage?.total_tokens ?? 0 };
    },
    async "chat-stream"(s) {
      const stream = await openaiClient(s).chat.completions.create({
        model: s.model,
        messages: [{ role: "user", content: s.prompt }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "";
      let finish;
      let chunks = 0;
      let total = 0;
      for await (const c of stream) {
        chunks++;
        for (const ch of c.choices ?? []) {
          text += ch.delta?.content ?? "";
          finish = ch.finish_reason ?? finish;
        }
        if (c.usage) total = c.usage.total_tokens;
      }
      return { text, finish_reason: finish, chunks, total_tokens: total };
    },
    async responses(s) {
      const r = await openaiClient(s).responses.create({ model: s.model, input: s.prompt });
      return { text: r.output_text, status: r.status, input_tokens: r.usage?.input_tokens ?? 0, output_tokens: r.usage?.output_tokens ?? 0 };
    },
    async "responses-stream"(s) {
      const stream = await openaiClient(s).responses.create({ model: s.model, input: s.prompt, stream: true });
      let text = "";
      let deltas = 0;
      let final;
      for await (const e of stream) {
        if (e.type === "response.output_text.delta") {
          deltas++;
          text += e.delta;
        } else if (e.type === "response.completed") {
          final = e.response;
        }
      }
      return { text, deltas, status: final?.status, input_tokens: final?.usage?.input_tokens ?? 0, output_tokens: final?.usage?.output_tokens ?? 0 };
    },
    async "responses-tool"(s) {
      const r = await openaiClient(s).responses.create({
        model: s.model,
        input: s.prompt,
        tools: [{ type: "function", strict: false, ...lookup }],
      });
      const calls = r.output.filter((o) => o.type === "function_call").map((o) => ({ name: o.name, arguments: o.arguments }));
      return { calls, status: r.status };
    },
    async embeddings(s) {
      const params = { model: s.model, input: s.input };
      if (s.encoding_format) params.encoding_format = s.encoding_format;
      const r = await openaiClient(s).embeddings.create(params);
      // With encoding_format "base64" the SDK hands the string back as is:
      // decode it (little-endian float32s) to count the dimensions.
      const dims = r.data.map((d) => (typeof d.embedding === "string" ? Buffer.from(d.embedding, "base64").length / 4 : d.embedding.length));
      const encodings = r.data.map((d) => (typeof d.embedding === "string" ? "base64" : "float"));
      return { count: r.data.length, indexes: r.data.map((d) => d.index), dims, encodings, prompt_tokens: r.usage?.prompt_tokens ?? 0 };
    },
    async models(s) {
      const ids = [];
      for await (const m of openaiClient(s).models.list()) ids.push(m.id);
      return { ids };
    },
  },
  anthropic: {
    async messages(s) {
      const params = { model: s.model, messages: [{ role: "user", content: s.prompt }] };
      // A scenario may leave max_tokens out (0) to provoke the API's 400.
      if (s.max_tokens) params.max_tokens = s.max_tokens;
      const m = await anthropicClient(s).messages.create(params);
      return anthropicMessage(m);
    },
    async "messages-stream"(s) {
      const stream = anthropicClient(s).messages.stream({
        model: s.model,
        max_tokens: s.max_tokens,
        messages: [{ role: "user", content: s.prompt }],
      });
      let deltas = 0;
      stream.on("text", () => deltas++);
      const m = await stream.finalMessage();
      return { ...anthropicMessage(m), deltas };
    },
    async "count-tokens"(s) {
      const r = await anthropicClient(s).messages.countTokens({ model: s.model, messages: [{ role: "user", content: s.prompt }] });
      return { input_tokens: r.input_tokens };
    },
  },
  // The Vercel AI SDK's OpenAI provider: api "responses" is its default
  // model (openai(model), the Responses API), "chat" is openai.chat(model).
  vercel: {
    async generate(s) {
      const r = await generateText({ model: vercelModel(s), prompt: s.prompt, maxRetries: 0, abortSignal: AbortSignal.timeout(timeout) });
      return vercelResult(r.text, r.finishReason, r.usage);
    },
    async stream(s) {
      let failed;
      const r = streamText({
        model: vercelModel(s),
        prompt: s.prompt,
        maxRetries: 0,
        abortSignal: AbortSignal.timeout(timeout),
        // streamText reports errors here rather than throwing them.
        onError: ({ error }) => {
          failed ??= error;
        },
      });
      let text = "";
      let parts = 0;
      for await (const t of r.textStream) {
        parts++;
        text += t;
      }
      if (failed) throw failed;
      return { ...vercelResult(text, await r.finishReason, await r.usage), parts };
    },
  },
};

function anthropicMessage(m) {
  // An answer in another API's shape is an error worth seeing whole.
  if (!Array.isArray(m?.content)) throw new Error(`not an Anthropic message: ${JSON.stringify(m).slice(0, 300)}`);
  const text = m.content.filter((b) => b.type === "text").map((b) => b.text).join("");
  return { text, stop_reason: m.stop_reason, input_tokens: m.usage?.input_tokens ?? 0, output_tokens: m.usage?.output_tokens ?? 0 };
}

function vercelModel(s) {
  const openai = createOpenAI({ baseURL: s.baseURL, apiKey });
  return s.api === "chat" ? openai.chat(s.model) : openai(s.model);
}

function vercelResult(text, finishReason, usage) {
  return {
    text,
    finish_reason: finishReason,
    input_tokens: usage?.inputTokens ?? 0,
    output_tokens: usage?.outputTokens ?? 0,
    total_tokens: usage?.totalTokens ?? 0,
  };
}

// describe keeps what the Go side checks of an error: the SDK's class
// name, the HTTP status and the API's error type (Anthropic's body is
// {"type":"error","error":{"type","message"}}; OpenAI's {"error":{"type"}},
// which the openai SDK keeps as err.type).
function describe(err) {
  const body = err?.error;
  return {
    name: err?.constructor?.name ?? typeof err,
    status: err?.status ?? err?.statusCode ?? 0,
    type: body?.error?.type ?? body?.type ?? err?.type ?? "",
    message: String(body?.error?.message ?? err?.message ?? err),
  };
}

async function run(s) {
  const op = ops[s.sdk]?.[s.op];
  if (!op) return { name: s.name, ok: false, error: { name: "UnknownScenario", status: 0, type: "", message: `no op ${s.sdk}/${s.op}` } };
  try {
    return { name: s.name, ok: true, value: await op(s) };
  } catch (err) {
    return { name: s.name, ok: false, error: describe(err) };
  }
}

const scenarios = JSON.parse(readFileSync(process.argv[2] ?? 0, "utf8"));
for (const s of scenarios) {
  process.stdout.write(JSON.stringify(await run(s)) + "\n");
}
