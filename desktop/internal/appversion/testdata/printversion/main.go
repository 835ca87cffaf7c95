// Command printversion prints appversion.String, for the test that builds
// it with -ldflags -X as a release is built.
package main

import (
	"fmt"

	"github.com/pikadj/pika/desktop/internal/appversion"
)

func main() { fmt.Println(appversion.String()) }
