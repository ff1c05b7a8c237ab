package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// cpuProfiles saves a 20 s CPU profile of every instance into dir, named
// for the instance and its role, so that where a cluster's CPU goes can
// be read with go tool pprof.
func cpuProfiles(c *cluster, dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Printf("cpu profiles: %v", err)
		return
	}
	client := &http.Client{Timeout: time.Minute}
	var wg sync.WaitGroup
	for _, in := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			role := "follower"
			if leads, err := in.leads(); err == nil && leads {
				role = "leader"
			}
			resp, err := client.Get(in.url("/debug/pprof/profile?seconds=20"))
			if err != nil {
				log.Printf("cpu profile of %s: %v", in.name, err)
				return
			}
			defer resp.Body.Close()
			name := filepath.Join(dir, fmt.Sprintf("cpu-%s-%s.pb.gz", in.name, role))
			f, err := os.Create(name)
			if err != nil {
				log.Printf("cpu profile of %s: %v", in.name, err)
				return
			}
			defer f.Close()
			if _, err := io.Copy(f, resp.Body); err != nil {
				log.Printf("cpu profile of %s: %v", in.name, err)
				return
			}
			log.Printf("cpu profile of %s (%s) saved to %s", in.name, role, name)
		}()
	}
	wg.Wait()
}
