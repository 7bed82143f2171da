package authflow

import "os"

var terminateSignal = os.Kill
