// Doubles 1..100 on the embedded runtime and checks the sum: 2 * 5050.
#include <dataflow/actors/local_environment.hpp>

#include <cstdio>
#include <numeric>

int main() {
  dataflow::local_environment env;
  env.set_parallelism(2);
  std::vector<int> xs(100);
  std::iota(xs.begin(), xs.end(), 1);
  auto out = env.from_collection(xs).rebalance().map([](int x) { return x * 2; }).collect();
  auto r = env.execute();
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
    return 1;
  }
  long sum = 0;
  for (int v : out->values()) sum += v;
  std::printf("sum %ld\n", sum);
  return sum == 10100 ? 0 : 1;
}
