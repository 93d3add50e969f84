package documents

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// Bounds of the Markdown a template produced, and of its rendering. The
// template's own execution is bounded (steps, output, time; see execute);
// these bound what comes after it: goldmark's parsing, which is
// superlinear in the nesting of block containers (100,000 ">" took 99 s)
// and in unclosed inline markup within one block, and the writers.
//
// User text is escaped before it reaches the Markdown (see mdText), so
// only the template's own text can add markup: a real template stays far
// below these limits.
const (
	maxMarkdownDepth = 32   // block quotes and list markers opening on one line
	maxInlineMarkup  = 1000 // unescaped inline markup characters ([]()*_<>`!~) in one block
	renderTimeout    = 10 * time.Second
	maxRenderedSize  = 64 << 20 // bytes of one rendered document
)

// MaxSize is the largest document the service renders: a larger file was
// not issued by it (the public verification reads no more).
const MaxSize = maxRenderedSize

var (
	errMarkdownTooDeep      = fmt.Errorf("the Markdown nests more than %d block quotes or lists", maxMarkdownDepth)
	errMarkdownTooMuchInput = fmt.Errorf("a Markdown block holds more than %d markup characters ([]()*_<>`!~)", maxInlineMarkup)
	errRenderTimeout        = fmt.Errorf("the document took longer than %s to render", renderTimeout)
	errRenderedTooLarge     = fmt.Errorf("the rendered document is larger than %d bytes", maxRenderedSize)
)

// checkMarkdown refuses Markdown whose parsing could run away: block
// containers nested deeper than maxMarkdownDepth on a line, or more than
// maxInlineMarkup unescaped inline markup characters in one block.
func checkMarkdown(src []byte) error {
	markup := 0
	for n, line := range bytes.Split(src, []byte("\n")) {
		trimmed := bytes.TrimLeft(line, " \t")
		if len(trimmed) == 0 || startsBlock(trimmed) {
			markup = 0
		}
		if containerDepth(line) > maxMarkdownDepth {
			return &TemplateError{Message: fmt.Sprintf("%v (output line %d)", errMarkdownTooDeep, n+1), err: errMarkdownTooDeep}
		}
		escaped := false
		for _, c := range line {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case bytes.IndexByte([]byte("[]()*_<>`!~"), c) >= 0:
				markup++
			}
		}
		if markup > maxInlineMarkup {
			return &TemplateError{Message: fmt.Sprintf("%v (output line %d)", errMarkdownTooMuchInput, n+1), err: errMarkdownTooMuchInput}
		}
	}
	return nil
}

// startsBlock reports whether a line (without its indentation) opens a
// block whose inline text goldmark parses on its own: a table row, a
// heading, a list item or a quote.
func startsBlock(l []byte) bool {
	switch l[0] {
	case '|', '#', '>':
		return true
	case '-', '+', '*':
		return len(l) > 1 && (l[1] == ' ' || l[1] == '\t')
	}
	i := 0
	for i < len(l) && i < 9 && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	return i > 0 && i+1 < len(l) && (l[i] == '.' || l[i] == ')') && (l[i+1] == ' ' || l[i+1] == '\t')
}

// containerDepth counts the block quote and list markers that open at the
// start of a line, one inside the other ("> > - 1. x" is 4).
func containerDepth(line []byte) int {
	depth := 0
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '>':
			depth++
			i++
		case (c == '-' || c == '+' || c == '*') && i+1 < len(line) && (line[i+1] == ' ' || line[i+1] == '\t'):
			depth++
			i += 2
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j+1 < len(line) && (line[j] == '.' || line[j] == ')') && (line[j+1] == ' ' || line[j+1] == '\t') {
				depth++
				i = j + 2
				continue
			}
			return depth
		default:
			return depth
		}
	}
	return depth
}

// cappedBuffer is a bytes.Buffer that fails past maxRenderedSize.
type cappedBuffer struct{ bytes.Buffer }

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > maxRenderedSize {
		return 0, errRenderedTooLarge
	}
	return b.Buffer.Write(p)
}

// boundedRender parses the Markdown and runs a writer on it within
// renderTimeout and maxRenderedSize, and only then copies the result to w,
// so that a writer given up on never writes to w.
func boundedRender(w io.Writer, src []byte, meta Meta, render func(io.Writer, *Doc) error) error {
	if err := checkMarkdown(src); err != nil {
		return err
	}
	var buf cappedBuffer
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("rendering panicked: %v", r)
			}
		}()
		done <- render(&buf, Parse(src, meta))
	}()
	timer := time.NewTimer(renderTimeout)
	defer timer.Stop()
	select {
	case err := <-done:
		if errors.Is(err, errRenderedTooLarge) {
			return &TemplateError{Message: errRenderedTooLarge.Error(), err: errRenderedTooLarge}
		}
		if err != nil {
			return err
		}
	case <-timer.C:
		return &TemplateError{Message: errRenderTimeout.Error(), err: errRenderTimeout}
	}
	_, err := w.Write(buf.Bytes())
	return err
}
