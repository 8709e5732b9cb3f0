package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"strings"
)

// JUnit XML (the subset CI systems read).
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// junitOf turns a soak report into one suite: a summary test case, and
// one failing test case per failing soak case (or per real violation).
func junitOf(out soakOutput) junitSuites {
	var s junitSuite
	secs := 0.0
	if r := out.Soak; r != nil {
		secs = r.Seconds
		s.Name = fmt.Sprintf("scopemig soak %s shard %d/%d", r.Target, r.Shard, r.Shards)
		s.Cases = append(s.Cases, junitCase{Name: fmt.Sprintf("%d cases, %d crash states, seed %d", r.Cases, r.CrashStates, r.Seed), Classname: "scopemig.soak." + r.Target})
		for _, a := range r.Failures {
			s.Cases = append(s.Cases, junitCase{Name: fmt.Sprintf("case %d", a.Case), Classname: "scopemig.soak." + r.Target,
				Failure: &junitFailure{Message: fmt.Sprintf("%s %s: %s", a.Invariant, a.Name, a.Detail), Type: string(a.Invariant),
					Text: strings.Join(append(a.Counterexample, "replay: "+a.Replay), "\n")}})
		}
	}
	if r := out.Real; r != nil {
		secs = r.Seconds
		s.Name = "scopemig soak --real"
		s.Cases = append(s.Cases, junitCase{Name: fmt.Sprintf("%d cycles, %d kills", r.Cycles, r.Kills), Classname: "scopemig.soak.real"})
		for i, v := range r.ViolationList {
			s.Cases = append(s.Cases, junitCase{Name: fmt.Sprintf("violation %d", i+1), Classname: "scopemig.soak.real",
				Failure: &junitFailure{Message: v, Type: strings.Fields(v + " I?")[0]}})
		}
	}
	s.Time = fmt.Sprintf("%.3f", secs)
	s.Tests = len(s.Cases)
	for i := range s.Cases {
		s.Cases[i].Time = "0"
		if s.Cases[i].Failure != nil {
			s.Failures++
		}
	}
	return junitSuites{Suites: []junitSuite{s}}
}

func writeJUnit(path string, out soakOutput) error {
	b, err := xml.MarshalIndent(junitOf(out), "", "  ")
	if err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	if err := os.WriteFile(path, append([]byte(xml.Header), append(b, '\n')...), 0o644); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	return nil
}
