package llm

import (
	"context"
	"errors"
	"io"

	"github.com/larkspur-labs/assist/assist"
	"github.com/sashabaranov/go-openai"
)

// errStreamCut is a stream that ended before the model said it had
// finished: the connection was closed under it.
var errStreamCut = errors.New("stream ended before the model finished")

// Draft asks the model for the reply the agent could give next, grounded in
// req's articles, and streams it: onToken (nil for none) receives each
// piece of text as it arrives, already sanitised, and the pieces
// concatenate to the returned Draft.Text. The text is cut at about 1,000
// characters, and the request with it. ArticleIDs are the ids of the
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
	err := c.call(ctx, "draft", 1, func(ctx context.Context) error {
		z = newSanitizer(maxTextRunes)
		err := c.request(ctx, func(ctx context.Context) error { return c.stream(ctx, creq, z, onToken) })
		if err == nil && z.String() == "" {
			err = c.unusable("the model wrote no reply")
		}
		return err
	})
	if err != nil {
		return assist.Draft{}, err
	}
	return assist.Draft{Text: z.String(), ArticleIDs: ids}, nil
}

// stream makes one streamed request and feeds its content through z,
// passing each sanitised piece to onToken. It returns when the model has
// finished, the text reached its cap, or the stream failed.
func (c *Client) stream(ctx context.Context, req openai.ChatCompletionRequest, z *sanitizer, onToken func(string)) error {
	st, err := c.srv.Client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return err
	}
	// Closing the body mid-stream is how a client stops generation: the
	// server sees the disconnect and aborts the request.
	defer st.Close()
	finished := false
	for {
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			// go-openai says EOF both after "data: [DONE]" and when the
			// server closed the stream cleanly without it; the finish
			// reason tells a whole answer from a cut one.
			if !finished {
				return errStreamCut
			}
			return nil
		}
		if err != nil {
			return err
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			if piece := z.write(ch.Delta.Content); piece != "" && onToken != nil {
				onToken(piece)
			}
			if ch.FinishReason != "" {
				finished = true
			}
		}
		if z.full {
			return nil
		}
	}
}
