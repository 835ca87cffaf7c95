package mp3

import "github.com/pikadj/pika/desktop/internal/testenv"

// skipUnlessCI skips when a tool or the corpus is missing, but fails under CI=true.
var skipUnlessCI = testenv.SkipUnlessCI
