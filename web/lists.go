package web

import "github.com/craftscode/craftscode/workflow"

// allPages reads every page of a list.
func allPages[T any](list func(workflow.Page) ([]T, string, error)) ([]T, error) {
	var all []T
	after := ""
	for {
		items, next, err := list(workflow.Page{Limit: 200, After: after})
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == "" {
			return all, nil
		}
		after = next
	}
}
