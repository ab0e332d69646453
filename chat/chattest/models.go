package chattest

import (
	"net/http"
	"slices"
	"strings"
)

// DefaultModels is what /v1/models lists by default: chat models mixed with the embedding,
// audio, image, moderation and Responses-only models a real account also sees.
var DefaultModels = []string{
	"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano",
	"o3", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-3.5-turbo", "chatgpt-4o-latest",
	"o1-pro", "codex-mini-latest",
	"text-embedding-3-small", "text-embedding-3-large", "whisper-1", "tts-1", "dall-e-3",
	"gpt-image-1", "omni-moderation-latest", "gpt-4o-realtime-preview", "gpt-4o-transcribe",
	"gpt-4o-search-preview", "davinci-002", "babbage-002",
}

// contextWindows are the published context windows of the chat models it serves.
var contextWindows = map[string]int{
	"gpt-4o": 128_000, "gpt-4o-mini": 128_000, "chatgpt-4o-latest": 128_000,
	"gpt-4.1": 1_047_576, "gpt-4.1-mini": 1_047_576, "gpt-4.1-nano": 1_047_576,
	"o3": 200_000, "o4-mini": 200_000,
	"gpt-5": 400_000, "gpt-5-mini": 400_000, "gpt-5-nano": 400_000,
	"gpt-3.5-turbo": 16_385,
}

func (s *Server) contextWindow(model string) int {
	if n, ok := s.opts.ContextWindows[model]; ok {
		return n
	}
	if n, ok := contextWindows[model]; ok {
		return n
	}
	return 128_000
}

// isReasoning tells the models that reject max_tokens and a non-default temperature.
func isReasoning(model string) bool {
	for _, p := range []string{"o1", "o3", "o4", "gpt-5"} {
		if strings.HasPrefix(model, p) {
			return true
		}
	}
	return false
}

// isChat tells the listed models that answer on /v1/chat/completions.
func isChat(model string) bool {
	for _, no := range []string{"embedding", "whisper", "tts", "dall-e", "image", "moderation",
		"realtime", "transcribe", "davinci", "babbage", "-pro", "codex"} {
		if strings.Contains(model, no) {
			return false
		}
	}
	return true
}

type modelObject struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

func modelOf(id string) modelObject {
	owner := "system"
	if strings.HasPrefix(id, "gpt-3.5") || strings.HasPrefix(id, "davinci") || strings.HasPrefix(id, "babbage") {
		owner = "openai"
	}
	return modelObject{ID: id, Object: "model", Created: 1715367049, OwnedBy: owner}
}

func (s *Server) serveModels(w http.ResponseWriter) {
	list := struct {
		Object string        `json:"object"`
		Data   []modelObject `json:"data"`
	}{Object: "list", Data: []modelObject{}}
	for _, id := range s.opts.Models {
		list.Data = append(list.Data, modelOf(id))
	}
	s.rateLimitHeaders(w, "")
	writeJSON(w, list)
}

func (s *Server) serveModel(w http.ResponseWriter, id string) {
	if !slices.Contains(s.opts.Models, id) {
		s.writeError(w, http.StatusNotFound, modelNotFound(id))
		return
	}
	s.rateLimitHeaders(w, "")
	writeJSON(w, modelOf(id))
}

func modelNotFound(id string) apiErrorSpec {
	return apiErrorSpec{
		Message: "The model `" + id + "` does not exist or you do not have access to it.",
		Type:    "invalid_request_error", Code: "model_not_found",
	}
}
