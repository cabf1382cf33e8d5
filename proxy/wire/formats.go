package wire

import (
	"strings"
	"sync"
)

// The wire formats serve reads, named after the API that defines them.
const (
	OpenAI    = "openai"
	Anthropic = "anthropic"
	Gemini    = "gemini"
	Bedrock   = "bedrock"
)

// Format is one wire format's shapes: its requests, its whole answers and
// the events of its streamed answers.
type Format struct {
	Name                   string
	Request, Answer, Event *Shape
}

// Lookup returns the format named name.
func Lookup(name string) (*Format, bool) {
	f, ok := formats()[name]
	return f, ok
}

// formats are built when first looked up, not at start: the commands that
// do not serve (validate, generate) never need them.
var formats = sync.OnceValue(func() map[string]*Format {
	geminiAnswer := geminiAnswerShape()
	embeddingsAnswer := embeddingsAnswerShape()
	countTokensAnswer := anthropicCountTokensAnswerShape()
	return map[string]*Format{
		OpenAI:    {Name: OpenAI, Request: openAIRequestShape(), Answer: openAIAnswerShape(), Event: openAIEventShape()},
		Anthropic: {Name: Anthropic, Request: anthropicRequestShape(), Answer: anthropicAnswerShape(), Event: anthropicEventShape()},
		Gemini:    {Name: Gemini, Request: geminiRequestShape(), Answer: geminiAnswer, Event: geminiAnswer},
		Bedrock:   {Name: Bedrock, Request: bedrockRequestShape(), Answer: bedrockAnswerShape(), Event: bedrockEventShape()},
		Responses: {Name: Responses, Request: responsesRequestShape(), Answer: responsesAnswerShape(), Event: responsesEventShape()},
		// Embeddings and token counts are never streamed: an event is
		// read as a whole answer.
		Embeddings:           {Name: Embeddings, Request: embeddingsRequestShape(), Answer: embeddingsAnswer, Event: embeddingsAnswer},
		AnthropicCountTokens: {Name: AnthropicCountTokens, Request: anthropicCountTokensRequestShape(), Answer: countTokensAnswer, Event: countTokensAnswer},
	}
})

// OpenAI's chat completions (CreateChatCompletionRequest and its answers).
func openAIRequestShape() *Shape {
	return &Shape{
		Rules: map[string]Class{
			"model":                     ID,
			"messages[].role":           ID,
			"messages[].content":        Text,
			"messages[].content[].type": ID,
			"messages[].content[].text": Text,
			// An assistant's refusal, sent back as history.
			"messages[].content[].refusal":                      Text,
			"messages[].content[].image_url.url":                ID,
			"messages[].content[].image_url.detail":             ID,
			"messages[].content[].input_audio.data":             Binary,
			"messages[].content[].input_audio.format":           ID,
			"messages[].content[].file.file_data":               Binary,
			"messages[].content[].file.file_id":                 ID,
			"messages[].content[].file.filename":                Text,
			"messages[].content[].prompt_cache_breakpoint.mode": ID,
			"messages[].name":                                   Text,
			"messages[].refusal":                                Text,
			"messages[].audio.id":                               ID,
			"messages[].tool_call_id":                           ID,
			"messages[].tool_calls[].id":                        ID,
			"messages[].tool_calls[].type":                      ID,
			"messages[].tool_calls[].function.name":             Text,
			"messages[].tool_calls[].function.arguments":        JSONText,
			"messages[].tool_calls[].custom.name":               Text,
			"messages[].tool_calls[].custom.input":              Text,
			"messages[].function_call.name":                     Text,
			"messages[].function_call.arguments":                JSONText,
			"tools[].type":                                      ID,
			"tools[].function.name":                             Text,
			"tools[].function.description":                      Text,
			"tools[].function.parameters":                       Schema,
			"tools[].custom.name":                               Text,
			"tools[].custom.description":                        Text,
			"tools[].custom.format.type":                        ID,
			"tools[].custom.format.grammar.syntax":              ID,
			"tools[].custom.format.grammar.definition":          Text,
			"functions[].name":                                  Text,
			"functions[].description":                           Text,
			"functions[].parameters":                            Schema,
			"function_call":                                     ID,
			"function_call.name":                                Text,
			"tool_choice":                                       ID,
			"tool_choice.type":                                  ID,
			"tool_choice.function.name":                         Text,
			"tool_choice.custom.name":                           Text,
			"tool_choice.allowed_tools.mode":                    ID,
			"tool_choice.allowed_tools.tools":                   Free,
			"response_format.type":                              ID,
			"response_format.json_schema.name":                  Text,
			"response_format.json_schema.description":           Text,
			"response_format.json_schema.schema":                Schema,
			"prediction.type":                                   ID,
			"prediction.content":                                Text,
			"prediction.content[].type":                         ID,
			"prediction.content[].text":                         Text,
			"prediction.content[].prompt_cache_breakpoint.mode": ID,
			"stop":                                   Text,
			"metadata":                               Free,
			"user":                                   ID,
			"safety_identifier":                      ID,
			"prompt_cache_key":                       ID,
			"prompt_cache_options.mode":              ID,
			"prompt_cache_options.ttl":               ID,
			"prompt_cache_retention":                 ID,
			"modalities":                             ID,
			"audio.format":                           ID,
			"audio.voice":                            ID,
			"audio.voice.id":                         ID,
			"reasoning_effort":                       ID,
			"service_tier":                           ID,
			"verbosity":                              ID,
			"moderation.model":                       ID,
			"moderation.policy.input.mode":           ID,
			"moderation.policy.output.mode":          ID,
			"web_search_options.search_context_size": ID,
			"web_search_options.user_location.type":  ID,
			"web_search_options.user_location.approximate": Free,
			"logit_bias": Free,
		},
		Roles: map[string]string{"messages[]": "@role"},
	}
}

func openAIAnswerShape() *Shape {
	return &Shape{
		Rules: openAIChoices(map[string]Class{
			"metadata": Free,
			"choices[].message.tool_calls[].custom.name":  Text,
			"choices[].message.tool_calls[].custom.input": Text,
			"choices[].message.audio.id":                  ID,
			"choices[].message.audio.data":                Binary,
			"choices[].message.audio.transcript":          Text,
		}, "message", JSONText),
		Roles: map[string]string{"choices[]": "assistant"},
	}
}

func openAIEventShape() *Shape {
	return &Shape{
		Rules: openAIChoices(map[string]Class{
			// Random characters that pad a chunk against length side channels.
			"obfuscation": Binary,
		}, "delta", Text),
		Roles: map[string]string{"choices[]": "assistant"},
	}
}

// openAIChoices adds to rules those an answer and a stream's chunks share:
// their choices' message (under member: message whole, delta streamed),
// usage, moderation and errors. Tool call arguments are whole JSON only in
// a whole message (arguments); a chunk carries a piece of them.
func openAIChoices(rules map[string]Class, member string, arguments Class) map[string]Class {
	for path, c := range map[string]Class{
		"id": ID, "object": ID, "model": ID, "system_fingerprint": ID, "service_tier": ID,
		"choices[].finish_reason":                      ID,
		"choices[].logprobs":                           Free,
		"usage":                                        Free,
		"error.type":                                   ID,
		"error.code":                                   ID,
		"error.param":                                  ID,
		"error.message":                                Text,
		"choices[].M.role":                             ID,
		"choices[].M.content":                          Text,
		"choices[].M.refusal":                          Text,
		"choices[].M.reasoning_content":                Text,
		"choices[].M.tool_calls[].id":                  ID,
		"choices[].M.tool_calls[].type":                ID,
		"choices[].M.tool_calls[].function.name":       Text,
		"choices[].M.tool_calls[].function.arguments":  arguments,
		"choices[].M.function_call.name":               Text,
		"choices[].M.function_call.arguments":          arguments,
		"choices[].M.annotations[].type":               ID,
		"choices[].M.annotations[].url_citation.url":   ID,
		"choices[].M.annotations[].url_citation.title": Text,
	} {
		rules[strings.Replace(path, ".M.", "."+member+".", 1)] = c
	}
	return openAIModeration(rules)
}

// openAIModeration adds the rules of the moderation of an answer's input
// and output (moderated completions): the verdicts are identifiers, an
// error's message is text.
func openAIModeration(rules map[string]Class) map[string]Class {
	return withAt(rules, map[string]Class{
		"type":            ID,
		"model":           ID,
		"code":            ID,
		"message":         Text,
		"results[].type":  ID,
		"results[].model": ID,
		"results[].category_applied_input_types.*": ID,
	}, "moderation.input", "moderation.output")
}

// withAt adds to rules the rules of sub (a block, a part) under each of
// paths, where rules does not say otherwise already.
func withAt(rules, sub map[string]Class, paths ...string) map[string]Class {
	for _, p := range paths {
		for k, c := range sub {
			if _, set := rules[p+"."+k]; !set {
				rules[p+"."+k] = c
			}
		}
	}
	return rules
}

// Anthropic's Messages API. Content blocks share one shape: text, image,
// document, tool_use, tool_result (whose content is a string or blocks),
// thinking, search results, server tools' results.
func anthropicRequestShape() *Shape {
	return &Shape{
		Rules: anthropicBlocks(map[string]Class{
			"model":                          ID,
			"messages[].role":                ID,
			"messages[].content":             Text,
			"system":                         Text,
			"stop_sequences":                 Text,
			"metadata.user_id":               ID,
			"service_tier":                   ID,
			"thinking.type":                  ID,
			"tool_choice.type":               ID,
			"tool_choice.name":               Text,
			"tools[].type":                   ID,
			"tools[].name":                   Text,
			"tools[].description":            Text,
			"tools[].input_schema":           Schema,
			"tools[].cache_control.type":     ID,
			"tools[].cache_control.ttl":      ID,
			"tools[].allowed_domains":        ID,
			"tools[].blocked_domains":        ID,
			"tools[].allowed_tools":          Text,
			"tools[].server_label":           ID,
			"tools[].server_url":             ID,
			"tools[].user_location.type":     ID,
			"tools[].user_location.city":     Text,
			"tools[].user_location.country":  Text,
			"tools[].user_location.region":   Text,
			"tools[].user_location.timezone": ID,
			"mcp_servers":                    Free,
			"container":                      ID,
			"output_format.type":             ID,
			"output_format.schema":           Schema,
			"context_management":             Free,
			"messages[].id":                  ID,
			"messages[].model":               ID,
			"messages[].type":                ID,
			"messages[].stop_reason":         ID,
			"messages[].stop_sequence":       Text,
			"messages[].usage":               Free,
			"system[].cache_control.type":    ID,
		}, "messages[].content[]", "system[]", "messages[].content[].content[]", "system[].content[]",
			// A tool result's search results, inside the blocks of a tool
			// result or of a system block.
			"messages[].content[].content[].content[]", "system[].content[].content[]"),
		TextWhen: map[string]string{"messages[].content[].source.data": "type=text", "messages[].content[].content[].source.data": "type=text"},
		Roles:    map[string]string{"messages[]": "@role", "system": "system"},
	}
}

// anthropicBlocks adds the rules of a content block at each of paths.
func anthropicBlocks(rules map[string]Class, paths ...string) map[string]Class {
	block := map[string]Class{
		"type":               ID,
		"text":               Text,
		"id":                 ID,
		"name":               Text,
		"input":              Free,
		"tool_use_id":        ID,
		"is_error":           ID,
		"content":            Text, // a tool result's content as a string
		"thinking":           Text,
		"signature":          Binary,
		"data":               Binary, // redacted thinking
		"title":              Text,
		"context":            Text,
		"source":             Text, // a search result's source (a string)
		"source.type":        ID,
		"source.media_type":  ID,
		"source.data":        Binary,
		"source.url":         ID,
		"source.file_id":     ID,
		"source.content":     Text,
		"source.content[]":   Text,
		"file_id":            ID,
		"filename":           Text,
		"url":                ID,
		"page_age":           ID,
		"encrypted_content":  Binary,
		"server_name":        ID,
		"error_code":         ID,
		"stdout":             Text,
		"stderr":             Text,
		"cache_control.type": ID,
		"cache_control.ttl":  ID,
		// A document's citation settings, or a text block's citations
		// (cited text, document titles) sent back as history.
		"citations":             Free,
		"content.type":          ID,
		"content.error_code":    ID,
		"content.stdout":        Text,
		"content.stderr":        Text,
		"content.content":       Free,
		"source.content[].type": ID,
		"source.content[].text": Text,
	}
	return withAt(rules, block, paths...)
}

func anthropicAnswerShape() *Shape {
	return &Shape{
		Rules: anthropicBlocks(map[string]Class{
			"id": ID, "type": ID, "role": ID, "model": ID, "stop_reason": ID,
			"stop_sequence": Text,
			"usage":         Free,
			"container":     Free,
			"error.type":    ID,
			"error.message": Text,
			// The spec's Message, shared with the request, allows a string
			// content and a tool result's blocks (with their search results).
			"content": Text,
		}, "content[]", "content[].content[]", "content[].content[].content[]"),
		Roles: map[string]string{"": "assistant"},
	}
}

func anthropicEventShape() *Shape {
	return &Shape{
		Rules: anthropicBlocks(map[string]Class{
			"type": ID, "index": ID,
			"message.id": ID, "message.type": ID, "message.role": ID, "message.model": ID,
			"message.stop_reason": ID, "message.stop_sequence": Text, "message.usage": Free,
			"message.content":     Free,
			"delta.type":          ID,
			"delta.text":          Text,
			"delta.partial_json":  Text,
			"delta.thinking":      Text,
			"delta.signature":     Binary,
			"delta.citation":      Free,
			"delta.stop_reason":   ID,
			"delta.stop_sequence": Text,
			"usage":               Free,
			"error.type":          ID,
			"error.message":       Text,
		}, "content_block",
			// A block's own blocks (a tool result's) and their search results.
			"content_block.content[]", "content_block.content[].content[]"),
		Roles: map[string]string{"": "assistant"},
	}
}

// Gemini's (and Vertex AI's) generateContent: protobuf JSON, so every
// member may also be written in snake_case (system_instruction).
func geminiRequestShape() *Shape {
	return &Shape{
		Snake: true,
		Rules: geminiParts(map[string]Class{
			"model":                                                 ID,
			"contents[].role":                                       ID,
			"systemInstruction.role":                                ID,
			"cachedContent":                                         ID,
			"labels":                                                Free,
			"safetySettings[].category":                             ID,
			"safetySettings[].threshold":                            ID,
			"safetySettings[].method":                               ID,
			"generationConfig.stopSequences":                        Text,
			"generationConfig.responseMimeType":                     ID,
			"generationConfig.responseSchema":                       Schema,
			"generationConfig.responseJsonSchema":                   Schema,
			"generationConfig.responseModalities":                   ID,
			"generationConfig.mediaResolution":                      ID,
			"generationConfig.speechConfig":                         Free,
			"generationConfig.thinkingConfig":                       Free,
			"generationConfig.imageConfig":                          Free,
			"tools[].functionDeclarations[].name":                   Text,
			"tools[].functionDeclarations[].description":            Text,
			"tools[].functionDeclarations[].behavior":               ID,
			"tools[].functionDeclarations[].parameters":             Schema,
			"tools[].functionDeclarations[].parametersJsonSchema":   Schema,
			"tools[].functionDeclarations[].response":               Schema,
			"tools[].functionDeclarations[].responseJsonSchema":     Schema,
			"tools[].googleSearch":                                  Free,
			"tools[].googleSearchRetrieval":                         Free,
			"tools[].codeExecution":                                 Free,
			"tools[].urlContext":                                    Free,
			"tools[].retrieval":                                     Free,
			"toolConfig.functionCallingConfig.mode":                 ID,
			"toolConfig.functionCallingConfig.allowedFunctionNames": Text,
			"toolConfig.retrievalConfig":                            Free,
		}, "contents[].parts[]", "systemInstruction.parts[]"),
		Roles: map[string]string{"contents[]": "@role|user", "systemInstruction": "system"},
	}
}

// geminiParts adds the rules of a Part at each of paths.
func geminiParts(rules map[string]Class, paths ...string) map[string]Class {
	part := map[string]Class{
		"text":                          Text,
		"thought":                       ID,
		"thoughtSignature":              Binary,
		"inlineData.mimeType":           ID,
		"inlineData.data":               Binary,
		"inlineData.displayName":        Text,
		"fileData.mimeType":             ID,
		"fileData.fileUri":              ID,
		"fileData.displayName":          Text,
		"functionCall.id":               ID,
		"functionCall.name":             Text,
		"functionCall.args":             Free,
		"functionResponse.id":           ID,
		"functionResponse.name":         Text,
		"functionResponse.response":     Free,
		"functionResponse.parts":        Free,
		"functionResponse.willContinue": ID,
		"functionResponse.scheduling":   ID,
		"executableCode.language":       ID,
		"executableCode.code":           Text,
		"codeExecutionResult.outcome":   ID,
		"codeExecutionResult.output":    Text,
		"videoMetadata":                 Free,
		"partMetadata":                  Free,
	}
	return withAt(rules, part, paths...)
}

func geminiAnswerShape() *Shape {
	return &Shape{
		Snake: true,
		Rules: geminiParts(map[string]Class{
			"candidates[].content.role":       ID,
			"candidates[].finishReason":       ID,
			"candidates[].finishMessage":      Text,
			"candidates[].safetyRatings":      Free,
			"candidates[].citationMetadata":   Free,
			"candidates[].groundingMetadata":  Free,
			"candidates[].urlContextMetadata": Free,
			"candidates[].logprobsResult":     Free,
			"candidates[].avgLogprobs":        ID,
			"promptFeedback":                  Free,
			"usageMetadata":                   Free,
			"modelVersion":                    ID,
			"responseId":                      ID,
			"createTime":                      ID,
			"error.status":                    ID,
			"error.message":                   Text,
			"error.details":                   Free,
		}, "candidates[].content.parts[]"),
		Roles: map[string]string{"": "assistant"},
	}
}

// Amazon Bedrock's Converse and ConverseStream.
func bedrockRequestShape() *Shape {
	return &Shape{
		Rules: bedrockBlocks(map[string]Class{
			"modelId":                                      ID,
			"messages[].role":                              ID,
			"inferenceConfig.stopSequences":                Text,
			"toolConfig.tools[].toolSpec.name":             Text,
			"toolConfig.tools[].toolSpec.description":      Text,
			"toolConfig.tools[].toolSpec.inputSchema.json": Schema,
			"toolConfig.tools[].cachePoint.type":           ID,
			"toolConfig.toolChoice.tool.name":              Text,
			"toolConfig.toolChoice.auto":                   Free,
			"toolConfig.toolChoice.any":                    Free,
			"guardrailConfig.guardrailIdentifier":          ID,
			"guardrailConfig.guardrailVersion":             ID,
			"guardrailConfig.trace":                        ID,
			"guardrailConfig.streamProcessingMode":         ID,
			"additionalModelRequestFields":                 Free,
			"additionalModelResponseFieldPaths":            ID,
			"promptVariables":                              Free,
			"requestMetadata":                              Free,
			"performanceConfig.latency":                    ID,
		}, "messages[].content[]", "system[]"),
		Roles: map[string]string{"messages[]": "@role", "system": "system"},
	}
}

// bedrockBlocks adds the rules of a ContentBlock (and a SystemContentBlock)
// at each of paths.
func bedrockBlocks(rules map[string]Class, paths ...string) map[string]Class {
	block := map[string]Class{
		"text":                                       Text,
		"image.format":                               ID,
		"image.source.bytes":                         Binary,
		"image.source.s3Location":                    Free,
		"document.format":                            ID,
		"document.name":                              Text,
		"document.source.bytes":                      Binary,
		"document.source.text":                       Text,
		"document.source.content[].text":             Text,
		"document.source.s3Location":                 Free,
		"document.context":                           Text,
		"document.citations":                         Free,
		"video.format":                               ID,
		"video.source.bytes":                         Binary,
		"video.source.s3Location":                    Free,
		"toolUse.toolUseId":                          ID,
		"toolUse.name":                               Text,
		"toolUse.input":                              Free,
		"toolResult.toolUseId":                       ID,
		"toolResult.status":                          ID,
		"toolResult.content[].text":                  Text,
		"toolResult.content[].json":                  Free,
		"toolResult.content[].image.format":          ID,
		"toolResult.content[].image.source.bytes":    Binary,
		"toolResult.content[].document.format":       ID,
		"toolResult.content[].document.name":         Text,
		"toolResult.content[].document.source.bytes": Binary,
		"toolResult.content[].document.source.text":  Text,
		"guardContent.text.text":                     Text,
		"guardContent.text.qualifiers":               ID,
		"guardContent.image.format":                  ID,
		"guardContent.image.source.bytes":            Binary,
		"cachePoint.type":                            ID,
		"reasoningContent.reasoningText.text":        Text,
		"reasoningContent.reasoningText.signature":   Binary,
		"reasoningContent.redactedContent":           Binary,
		"citationsContent":                           Free,
	}
	return withAt(rules, block, paths...)
}

func bedrockAnswerShape() *Shape {
	return &Shape{
		Rules: bedrockBlocks(map[string]Class{
			"output.message.role":           ID,
			"stopReason":                    ID,
			"usage":                         Free,
			"metrics":                       Free,
			"trace":                         Free,
			"performanceConfig":             Free,
			"additionalModelResponseFields": Free,
			"message":                       Text, // an error's
		}, "output.message.content[]"),
		Roles: map[string]string{"": "assistant"},
	}
}

func bedrockEventShape() *Shape {
	return &Shape{
		Rules: map[string]Class{
			"role":                                   ID,
			"contentBlockIndex":                      ID,
			"stopReason":                             ID,
			"start.toolUse.toolUseId":                ID,
			"start.toolUse.name":                     Text,
			"delta.text":                             Text,
			"delta.toolUse.input":                    Text,
			"delta.reasoningContent.text":            Text,
			"delta.reasoningContent.signature":       Binary,
			"delta.reasoningContent.redactedContent": Binary,
			"delta.citation":                         Free,
			"usage":                                  Free,
			"metrics":                                Free,
			"trace":                                  Free,
			"additionalModelResponseFields":          Free,
			"message":                                Text,
		},
		Roles: map[string]string{"": "assistant"},
	}
}
