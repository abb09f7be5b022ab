package main

import (
	"os"

	"github.com/isingrbm/isingrbm/core/rbm"
)

// loadData reads the .npy file named by flag -flagName (see
// rbm.ReadDataFile), after checking that it fits in memory; every failure
// is a usage error naming the flag and the file.
func loadData(flagName, path string) (*rbm.DataFile, error) {
	if path == "" {
		return nil, badInput("-%s: want a .npy file of configurations, (n, L, L) or (n, D)", flagName)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		if err := rbm.CheckReadMemory(flagName, path, st.Size()); err != nil {
			return nil, asUsage(err)
		}
	}
	d, err := rbm.ReadDataFile(path)
	if err != nil {
		return nil, badInput("-%s: %v", flagName, err)
	}
	return d, nil
}

// loadModel reads the model file named by flag -flagName; only the layers
// and meta.json are inflated, each checked (CRC-32, sizes).
func loadModel(flagName, path string) (*rbm.DBN, error) {
	if path == "" {
		return nil, badInput("-%s: want a model file (.npz)", flagName)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, badInput("-%s: %s: no such file", flagName, path)
	}
	dbn, _, err := rbm.LoadDBN(path)
	if err != nil {
		return nil, badInput("-%s: %v", flagName, err)
	}
	return dbn, nil
}
