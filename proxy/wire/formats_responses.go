package wire

import "maps"

// The formats of the routes beside chat: OpenAI's Responses API and
// embeddings, and Anthropic's token count.
const (
	Responses            = "responses"
	Embeddings           = "embeddings"
	AnthropicCountTokens = "anthropic-count-tokens"
)

// OpenAI's Responses API (CreateResponse, Response, ResponseStreamEvent).
// Its input is a string or a list of items (messages, the model's tool
// calls and their outputs, reasoning); the answer lists output items of the
// same kinds and echoes the request's settings; a stream's events carry
// the response, an item, a content part, or a piece of one.
func responsesRequestShape() *Shape {
	return &Shape{
		Rules: withAt(responsesSettings(map[string]Class{
			"input":                              Text,
			"context_management[].type":          ID,
			"include":                            ID,
			"moderation.model":                   ID,
			"moderation.policy.input.mode":       ID,
			"moderation.policy.output.mode":      ID,
			"stream_options.include_obfuscation": ID,
		}), responsesInputItem(), "input[]"),
		TextWhen: map[string]string{"input[].result": responsesProgramOutput},
		Roles:    responsesItemRoles(map[string]string{"input": "user", "instructions": "system"}, "input[]"),
	}
}

func responsesAnswerShape() *Shape {
	return &Shape{
		Rules: responseObject(map[string]Class{
			// The error a request fails with, beside the response's own.
			"error.type":  ID,
			"error.param": ID,
		}, ""),
		TextWhen: map[string]string{"output[].result": responsesProgramOutput, "instructions[].result": responsesProgramOutput},
		Roles:    responsesItemRoles(map[string]string{"": "assistant", "instructions": "system"}, "output[]", "instructions[]"),
	}
}

func responsesEventShape() *Shape {
	return &Shape{
		Rules: responsesEventRules(map[string]Class{
			"type":            ID,
			"item_id":         ID,
			"sequence_number": ID,
			// Pieces of text, of a tool call's arguments (not yet JSON: one
			// rule per path, and the text deltas share it), of code, of a
			// shell command, of a reasoning summary; the same whole when done.
			"delta":        Text,
			"delta.stdout": Text,
			"delta.stderr": Text,
			"text":         Text,
			"refusal":      Text,
			"arguments":    JSONText,
			"name":         Text,
			"input":        Text,
			"code":         Text, // code interpreter code, or an error event's code
			"command":      Text,
			"message":      Text,
			"param":        ID,
			"status":       ID,
			"obfuscation":  Binary,
			// An image generation's partial image and its settings.
			"partial_image_b64": Binary,
			"background":        ID,
			"output_format":     ID,
			"quality":           ID,
			"size":              ID,
			// A shell call's output, whole.
			"output[].created_by":             ID,
			"output[].outcome.type":           ID,
			"output[].stdout":                 Text,
			"output[].stderr":                 Text,
			"error.code":                      ID,
			"error.message":                   Text,
			"error.type":                      ID,
			"error.param":                     ID,
			"logprobs[].token":                Text,
			"logprobs[].top_logprobs[].token": Text,
			"annotation.type":                 ID,
			"annotation.url":                  ID,
			"annotation.title":                Text,
			"annotation.file_id":              ID,
			"annotation.container_id":         ID,
			"annotation.filename":             Text,
		}),
		TextWhen: map[string]string{"item.result": responsesProgramOutput,
			"response.output[].result": responsesProgramOutput, "response.instructions[].result": responsesProgramOutput},
		Roles: responsesItemRoles(map[string]string{"": "assistant", "response.instructions": "system"},
			"item", "response.output[]", "response.instructions[]"),
	}
}

// responsesEventRules adds to rules those of what events carry whole: the
// response, an output item, a content part.
func responsesEventRules(rules map[string]Class) map[string]Class {
	responseObject(rules, "response.")
	withAt(rules, responsesOutputItem(), "item")
	withAt(rules, responsesPartCommon(), "part")
	return withAt(rules, responsesPartOutput(), "part")
}

// responsesProgramOutput: a program's output item holds its result as
// text; an image generation call's result is the image, base64.
const responsesProgramOutput = "type=program_output"

// responsesSettings adds to rules those of the settings a request sends
// and a response echoes: instructions, prompt, text format, tools.
func responsesSettings(rules map[string]Class) map[string]Class {
	for path, c := range map[string]Class{
		"model":                      ID,
		"instructions":               Text,
		"metadata":                   Free,
		"user":                       ID,
		"safety_identifier":          ID,
		"service_tier":               ID,
		"truncation":                 ID,
		"previous_response_id":       ID,
		"conversation":               ID,
		"conversation.id":            ID,
		"prompt.id":                  ID,
		"prompt.version":             ID,
		"prompt.variables.*":         Text,
		"prompt_cache_key":           ID,
		"prompt_cache_options.mode":  ID,
		"prompt_cache_options.ttl":   ID,
		"prompt_cache_retention":     ID,
		"reasoning.context":          ID,
		"reasoning.effort":           ID,
		"reasoning.generate_summary": ID,
		"reasoning.mode":             ID,
		"reasoning.summary":          ID,
		"text.verbosity":             ID,
		"text.format.type":           ID,
		"text.format.name":           Text,
		"text.format.description":    Text,
		"text.format.schema":         Schema,
		"tool_choice":                ID,
		"tool_choice.type":           ID,
		"tool_choice.mode":           ID,
		"tool_choice.name":           Text,
		"tool_choice.server_label":   ID,
		"tool_choice.tools":          Free,
	} {
		rules[path] = c
	}
	// A prompt template's variables: a string, or an input part.
	withAt(rules, responsesPartCommon(), "prompt.variables.*")
	withAt(rules, responsesPartInput(), "prompt.variables.*")
	return withAt(rules, responsesTool(), "tools[]")
}

// responseObject is the rules of a Response (prefixed: in an event, under
// "response."), with rules.
func responseObject(rules map[string]Class, prefix string) map[string]Class {
	r := responsesSettings(map[string]Class{
		"id":                        ID,
		"object":                    ID,
		"status":                    ID,
		"error.code":                ID,
		"error.message":             Text,
		"incomplete_details.reason": ID,
		// The SDKs' concatenation of the output texts.
		"output_text": Text,
	})
	withAt(r, map[string]Class{
		"type":                             ID,
		"model":                            ID,
		"code":                             ID,
		"message":                          Text,
		"category_applied_input_types.*[]": ID,
	}, "moderation.input", "moderation.output")
	withAt(r, responsesOutputItem(), "output[]")
	withAt(r, responsesInputItem(), "instructions[]")
	for path, c := range r {
		if _, set := rules[prefix+path]; !set {
			rules[prefix+path] = c
		}
	}
	return rules
}

// responsesItemRoles adds the roles of the items at each of paths to roles:
// a message names its role; most other items are the model's (tool calls,
// reasoning), while the results of tools are the tool's, the reason of
// an approval the user's, and the tools an item lists the system's.
func responsesItemRoles(roles map[string]string, paths ...string) map[string]string {
	for _, p := range paths {
		roles[p] = "@role|assistant"
		for member, role := range map[string]string{
			"output": "tool", "outputs": "tool", "results": "tool", "result": "tool", "error": "tool",
			"reason": "user", "tools": "system",
		} {
			roles[p+"."+member] = role
		}
	}
	return roles
}

// responsesInputItem is the rules of an item of a request's input (and of
// a response's instructions, which may be items): the shared rules, input
// parts (images, files) in a message's content, and local shell skills.
func responsesInputItem() map[string]Class {
	item := responsesItem()
	withAt(item, responsesPartInput(), "content[]")
	withAt(item, map[string]Class{
		"description": Text,
		"name":        Text,
		"path":        Text,
	}, "environment.skills[]")
	return item
}

// responsesOutputItem is the rules of an item of a response's output.
func responsesOutputItem() map[string]Class {
	item := responsesItem()
	item["created_by"] = ID
	item["output[].created_by"] = ID
	return item
}

// responsesItem is the rules that input and output items share.
func responsesItem() map[string]Class {
	item := map[string]Class{
		"type":                     ID,
		"id":                       ID,
		"role":                     ID,
		"status":                   ID,
		"phase":                    ID,
		"call_id":                  ID,
		"approval_request_id":      ID,
		"server_label":             ID,
		"container_id":             ID,
		"execution":                ID,
		"caller.type":              ID,
		"caller.caller_id":         ID,
		"encrypted_content":        Binary,
		"fingerprint":              Binary, // a program's, opaque
		"content":                  Text,   // a message's, as a string
		"summary[].type":           ID,
		"summary[].text":           Text,
		"name":                     Text,
		"namespace":                Text,
		"arguments":                JSONText, // an object in a tool search call: read as free JSON
		"input":                    Text,     // a custom tool's call
		"code":                     Text,
		"queries":                  Text,
		"reason":                   Text, // an MCP approval's
		"result":                   Binary,
		"error":                    Text, // a listing's error, as a string
		"error.type":               ID,
		"error.message":            Text,
		"error.content":            Free,
		"output":                   Text, // a tool's result, as a string
		"output.type":              ID,   // a computer call's screenshot
		"output.image_url":         ID,
		"output.file_id":           ID,
		"output[].stdout":          Text, // a shell call's output
		"output[].stderr":          Text,
		"output[].outcome.type":    ID,
		"outputs[].type":           ID, // a code interpreter's logs and images
		"outputs[].logs":           Text,
		"outputs[].url":            ID,
		"results[].file_id":        ID, // a file search's
		"results[].filename":       Text,
		"results[].text":           Text,
		"results[].attributes.*":   Text,
		"operation.type":           ID, // an apply patch call's
		"operation.path":           Text,
		"operation.diff":           Text,
		"environment.type":         ID,
		"environment.container_id": ID,
		// What a computer, a shell or a web search call does.
		"action.type":              ID,
		"action.button":            ID,
		"action.keys":              ID,
		"action.text":              Text,
		"action.command":           Text,
		"action.commands":          Text,
		"action.env.*":             Text,
		"action.user":              ID,
		"action.working_directory": Text,
		"action.query":             Text,
		"action.queries":           Text,
		"action.pattern":           Text,
		"action.url":               ID,
		"action.sources[].type":    ID,
		"action.sources[].url":     ID,
		"actions[].type":           ID,
		"actions[].button":         ID,
		"actions[].keys":           ID,
		"actions[].text":           Text,
		// A computer call's safety checks.
		"pending_safety_checks[].id":           ID,
		"pending_safety_checks[].code":         ID,
		"pending_safety_checks[].message":      Text,
		"acknowledged_safety_checks[].id":      ID,
		"acknowledged_safety_checks[].code":    ID,
		"acknowledged_safety_checks[].message": Text,
		// The tools an MCP server lists, or a tool search loads.
		"tools[].input_schema": Schema,
		"tools[].annotations":  Free,
	}
	withAt(item, responsesTool(), "tools[]")
	withAt(item, responsesPartCommon(), "content[]", "output[]")
	withAt(item, responsesPartOutput(), "content[]")
	return withAt(item, responsesPartInput(), "output[]")
}

// responsesPartCommon is the rules of every content part: its type and
// text (input_text, output_text, reasoning_text, summary_text).
func responsesPartCommon() map[string]Class {
	return map[string]Class{"type": ID, "text": Text}
}

// responsesPartInput is the rules of the input parts: images and files.
func responsesPartInput() map[string]Class {
	return map[string]Class{
		"detail":                       ID,
		"image_url":                    ID,
		"file_id":                      ID,
		"file_url":                     ID,
		"file_data":                    Binary,
		"filename":                     Text,
		"prompt_cache_breakpoint.mode": ID,
	}
}

// responsesPartOutput is the rules of the model's parts: a refusal, an
// output text's citations and log probabilities.
func responsesPartOutput() map[string]Class {
	return map[string]Class{
		"refusal":                         Text,
		"annotations[].type":              ID,
		"annotations[].url":               ID,
		"annotations[].title":             Text,
		"annotations[].file_id":           ID,
		"annotations[].container_id":      ID,
		"annotations[].filename":          Text,
		"logprobs[].token":                Text,
		"logprobs[].top_logprobs[].token": Text,
	}
}

// responsesTool is the rules of a tool: a function or custom tool (and a
// namespace of them), or one of OpenAI's (file and web search, computer,
// code interpreter, image generation, MCP servers, shells).
func responsesTool() map[string]Class {
	tool := map[string]Class{
		"type":                   ID,
		"name":                   Text,
		"description":            Text,
		"parameters":             Schema,
		"output_schema":          Schema,
		"allowed_callers":        ID,
		"format.type":            ID,
		"format.syntax":          ID,
		"format.definition":      Text,
		"execution":              ID,
		"vector_store_ids":       ID,
		"ranking_options.ranker": ID,
		// File search filters: an attribute's key and operator, and the
		// value compared (nested filters, any shape).
		"filters.type":            ID,
		"filters.key":             ID,
		"filters.value":           Text,
		"filters.filters":         Free,
		"filters.allowed_domains": ID,
		"search_context_size":     ID,
		"search_content_types":    ID,
		"user_location.type":      ID,
		"user_location.city":      Text,
		"user_location.country":   Text,
		"user_location.region":    Text,
		"user_location.timezone":  ID,
		// MCP servers: credentials and addresses are not the model's.
		"server_label":                       ID,
		"server_url":                         ID,
		"server_description":                 Text,
		"connector_id":                       ID,
		"tunnel_id":                          ID,
		"authorization":                      ID,
		"headers.*":                          ID,
		"allowed_tools":                      Text,
		"allowed_tools.tool_names":           Text,
		"require_approval":                   ID,
		"require_approval.always.tool_names": Text,
		"require_approval.never.tool_names":  Text,
		// Image generation.
		"model":                      ID,
		"action":                     ID,
		"background":                 ID,
		"input_fidelity":             ID,
		"moderation":                 ID,
		"output_format":              ID,
		"quality":                    ID,
		"size":                       ID,
		"input_image_mask.file_id":   ID,
		"input_image_mask.image_url": Binary,
		// A computer's environment (a name), or a shell's (an object).
		"environment":                            ID,
		"environment.skills[].type":              ID,
		"environment.skills[].skill_id":          ID,
		"environment.skills[].version":           ID,
		"environment.skills[].name":              Text,
		"environment.skills[].description":       Text,
		"environment.skills[].path":              Text,
		"environment.skills[].source.type":       ID,
		"environment.skills[].source.media_type": ID,
		"environment.skills[].source.data":       Binary,
		"container":                              ID,
		"environment.container_id":               ID,
	}
	// A code interpreter's container, or a shell's environment: ids and
	// network policy (the secrets injected are not the model's).
	withAt(tool, map[string]Class{
		"type":                                   ID,
		"file_ids":                               ID,
		"memory_limit":                           ID,
		"network_policy.type":                    ID,
		"network_policy.allowed_domains":         ID,
		"network_policy.domain_secrets[].domain": ID,
		"network_policy.domain_secrets[].name":   ID,
		"network_policy.domain_secrets[].value":  ID,
	}, "container", "environment")
	// A namespace's tools.
	return withAt(tool, map[string]Class{
		"type":              ID,
		"name":              Text,
		"description":       Text,
		"parameters":        Schema,
		"output_schema":     Schema,
		"allowed_callers":   ID,
		"format.type":       ID,
		"format.syntax":     ID,
		"format.definition": Text,
	}, "tools[]")
}

// OpenAI's embeddings (CreateEmbeddingRequest): the input is text, a list
// of texts, or token ids (numbers); the answer holds vectors (numbers, or
// base64 with encoding_format base64).
func embeddingsRequestShape() *Shape {
	return &Shape{
		Rules: map[string]Class{
			"input":           Text,
			"model":           ID,
			"encoding_format": ID,
			"user":            ID,
		},
		Roles: map[string]string{"input": "user"},
	}
}

func embeddingsAnswerShape() *Shape {
	return &Shape{
		Rules: map[string]Class{
			"object":           ID,
			"model":            ID,
			"data[].object":    ID,
			"data[].embedding": Binary,
			"error.type":       ID,
			"error.code":       ID,
			"error.param":      ID,
			"error.message":    Text,
		},
		Roles: map[string]string{"": "assistant"},
	}
}

// Anthropic's token count (POST /v1/messages/count_tokens): a Messages
// request without what only generation reads (stop sequences, metadata,
// service tier, container); the answer is a number.
func anthropicCountTokensRequestShape() *Shape {
	return &Shape{
		Rules: func() map[string]Class {
			rules := maps.Clone(anthropicRequestShape().Rules)
			for _, path := range []string{"stop_sequences", "metadata.user_id", "service_tier", "container"} {
				delete(rules, path)
			}
			return rules
		}(),
		TextWhen: maps.Clone(anthropicRequestShape().TextWhen),
		Roles:    maps.Clone(anthropicRequestShape().Roles),
	}
}

func anthropicCountTokensAnswerShape() *Shape {
	return &Shape{
		Rules: map[string]Class{
			"type":          ID,
			"error.type":    ID,
			"error.message": Text,
		},
		Roles: map[string]string{"": "assistant"},
	}
}
