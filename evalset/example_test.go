package evalset_test

import (
	"context"
	"fmt"

	"github.com/leakhound/leakhound/evalset"
)

// ExampleLoadAll loads a named benchmark from a benchmark directory, with
// the question part only.
func ExampleLoadAll() {
	opts := evalset.Options{Dir: "testdata/benchdir", Part: "question"}
	items, err := evalset.LoadAll(context.Background(), []string{"arc_easy"}, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range items {
		fmt.Printf("%s [%s] %s -> %s\n", it.ID, it.Part, it.Text, it.Answer)
	}
	// Output:
	// arc_easy/test/0 [question] Which tool is best for measuring the length of a pencil? -> a ruler
	// arc_easy/test/1 [question] What do plants need from the air to make food? -> carbon dioxide
}
