package evalset

import "errors"

func newHubLoader(spec string, opts Options) (Loader, error) {
	return nil, errors.New("hf:// datasets are not supported in this build")
}
