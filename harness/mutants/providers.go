package mutants

func providerMutants() []Mutant { return nil }
