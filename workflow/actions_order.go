package workflow

// MoveAction moves the action numbered number (from 1) to position to
// (from 1), shifting the actions between; Normalize numbers them again.
// An action the plan does not have is not_found; a position outside the
// plan is invalid, on the field "to". The API and the pages both move
// actions through this, inside UpdateDeliverable.
func (x *ActionPlan) MoveAction(number, to int) error {
	n := len(x.Actions)
	if number < 1 || number > n {
		return Errorf(CodeNotFound, "the action plan has no action %d", number)
	}
	if to < 1 || to > n {
		var p Problems
		p.Add("to", "must be between 1 and %d", n)
		return p.Err("the action cannot move there")
	}
	a := x.Actions[number-1]
	rest := append(x.Actions[:number-1:number-1], x.Actions[number:]...)
	moved := make([]PlanAction, 0, n)
	moved = append(moved, rest[:to-1]...)
	moved = append(moved, a)
	moved = append(moved, rest[to-1:]...)
	x.Actions = moved
	x.Normalize()
	return nil
}

// RemoveAction removes the action numbered number (from 1); the ones after
// it move up a number. An action the plan does not have is not_found.
func (x *ActionPlan) RemoveAction(number int) error {
	if number < 1 || number > len(x.Actions) {
		return Errorf(CodeNotFound, "the action plan has no action %d", number)
	}
	x.Actions = append(x.Actions[:number-1:number-1], x.Actions[number:]...)
	x.Normalize()
	return nil
}
