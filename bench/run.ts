// Placeholder until the benchmark suite (issue "Benchmark suite and a stress tool") lands.
console.log('The benchmark suite is not written yet. Meanwhile `npm test` times the 100,000-contender race per store.');
