package llm

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/larkspur-labs/assist/assist"
	"github.com/sashabaranov/go-openai"
)

// errStreamCut is a stream that ended before the model said it had
// finished: the connection was closed under it.
var errStreamCut = errors.New("stream ended before the model finished")

// Draft asks the model for the reply the agent could give next, grounded in
// req's articles, and streams it: onToken (nil for none) receives each
// piece of text as it arrives, already sanitised, and the pieces
// concatenate to the returned Draft.Text, unless the answer was cut: a
// model stopped by max_tokens, or at the cap of about 1,000 characters
// (where the request is cut too), ends its draft at its last whole
// sentence, so Draft.Text may be shorter than what streamed. ArticleIDs are the ids of the
// articles given: the model is asked to use nothing else, and is not asked
// which it used.
//
// When ctx ends (the engine cancels a draft when the customer speaks again)
// Draft returns at once with an error wrapping ctx.Err(). A draft is never
// retried: its first tokens may already be on the agent's screen. While
// the breaker is open it returns an error wrapping assist.ErrDegraded
// without a request.
func (c *Client) Draft(ctx context.Context, req assist.DraftRequest, onToken func(string)) (assist.Draft, error) {
	data := draftData{Articles: make([]promptArticle, 0, len(req.Articles)), Transcript: c.turns(req.Turns)}
	ids := make([]string, 0, len(req.Articles))
	for _, a := range req.Articles {
		data.Articles = append(data.Articles, promptArticle{
			ID: c.redact(a.ID), Title: c.redact(a.Title), Answer: c.redact(a.Answer),
		})
		ids = append(ids, a.ID)
	}
	creq := openai.ChatCompletionRequest{
		Model: c.srv.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: draftSystemPrompt},
			{Role: openai.ChatMessageRoleUser, Content: userMessage(data, draftTask)},
		},
		Temperature: c.temperature,
		// max_tokens, not max_completion_tokens: the llama.cpp server, TGI
		// and older vLLM know only this one.
		MaxTokens: c.maxTokens,
	}
	var z *sanitizer
	var finish string
	err := c.call(ctx, "draft", 1, func(ctx context.Context) error {
		z = newSanitizer(maxTextRunes)
		err := c.request(ctx, func(ctx context.Context) (err error) {
			finish, err = c.stream(ctx, creq, z, onToken)
			return err
		})
		if err == nil && z.String() == "" {
			err = c.unusable("the model wrote no reply")
		}
		return err
	})
	if err != nil {
		return assist.Draft{}, err
	}
	text := z.String()
	if z.full || finish == finishLength {
		text = naturalEnd(text)
	}
	return assist.Draft{Text: text, ArticleIDs: ids}, nil
}

// naturalEnd ends a text that was cut at its last whole sentence, or, with
// none, marks the cut with an ellipsis.
func naturalEnd(text string) string {
	text = strings.TrimRight(strings.TrimSuffix(text, string(ellipsis)), " ")
	if end := lastSentenceEnd(text); end > 0 {
		return text[:end]
	}
	if text == "" {
		return ""
	}
	return text + string(ellipsis)
}

// stream makes one streamed request and feeds its content through z,
// passing each sanitised piece to onToken. It returns when the model has
// finished (with its finish reason), the text reached its cap, or the
// stream failed.
func (c *Client) stream(ctx context.Context, req openai.ChatCompletionRequest, z *sanitizer, onToken func(string)) (string, error) {
	st, err := c.srv.Client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", err
	}
	// Closing the body mid-stream is how a client stops generation: the
	// server sees the disconnect and aborts the request.
	defer st.Close()
	finish := ""
	for {
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			// go-openai says EOF both after "data: [DONE]" and when the
			// server closed the stream cleanly without it; the finish
			// reason tells a whole answer from a cut one.
			if finish == "" {
				return "", errStreamCut
			}
			return finish, nil
		}
		if err != nil {
			return "", err
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			if piece := z.write(ch.Delta.Content); piece != "" && onToken != nil {
				onToken(piece)
			}
			if ch.FinishReason != "" {
				finish = string(ch.FinishReason)
			}
		}
		if z.full {
			return finish, nil
		}
	}
}
