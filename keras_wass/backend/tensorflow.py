"""TensorFlow pieces of keras_wass."""

import tensorflow as tf

from keras_wass.backend._common import keras_cumsum, keras_unseeded_normal


def is_tracing(*tensors):
    if not tf.executing_eagerly():
        return True
    return any(
        isinstance(t, tf.Tensor) and not hasattr(t, "numpy") for t in tensors
    )


def unseeded_normal(shape, dtype, entropy=()):
    # Inside tf.function the global SeedGenerator's state variable is read
    # and advanced by the graph, so draws are fresh at every call.
    del entropy
    return keras_unseeded_normal(shape, dtype)


_COMPILED = {}


def compile_when_eager(fn, static_argnames):
    """``fn`` as a cached ``tf.function`` when called eagerly (its loops then
    run as graph ``while_loop``s instead of op-by-op); inside a graph, as is.
    Python-number arguments are part of ``tf.function``'s signature."""
    del static_argnames

    def wrapped(*args, **kwargs):
        if not tf.executing_eagerly():
            return fn(*args, **kwargs)
        compiled = _COMPILED.get(fn)
        if compiled is None:
            compiled = _COMPILED[fn] = tf.function(fn)
        return compiled(*args, **kwargs)

    return wrapped


cumsum = keras_cumsum


def supports_float64():
    return True


def _replica_rows(local_rows):
    """(rows of the global batch, first row of this replica's part, weight).

    Under a ``tf.distribute`` strategy with several replicas each replica sees
    its part of the global batch; on one replica this is
    ``(local_rows, None, 1)``. ``weight`` is ``local_rows / global_rows``:
    a replica's mean times it, summed over replicas (Keras's optimizer sums
    the replicas' gradients), is the mean over the global batch, also when
    the last batch splits unevenly.
    """
    context = tf.distribute.get_replica_context()
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if context is None or replicas == 1:
        return local_rows, None, 1.0
    replica = context.replica_id_in_sync_group
    sizes = context.all_reduce(
        tf.distribute.ReduceOp.SUM, tf.one_hot(replica, replicas, dtype=tf.int32) * local_rows
    )
    offset = tf.gather(tf.math.cumsum(sizes, exclusive=True), replica)
    global_rows = tf.reduce_sum(sizes)
    return global_rows, offset, tf.cast(local_rows, tf.float32) / tf.cast(global_rows, tf.float32)


def _replica_draw(sample, steps, local_rows, rows):
    """``steps`` blocks of ``local_rows`` draws, the same on any number of replicas.

    ``sample(n)`` draws ``n`` rows. On one replica it is called with
    ``steps * local_rows``. With several, every replica draws the
    ``steps * global_rows`` rows one replica would (their seed generators
    are in the same state) and keeps its own part of each block, so
    latent noise and mixing weights do not depend on the number of devices.
    """
    global_rows, offset, _ = rows
    if offset is None:
        return sample(steps * local_rows)
    full = sample(steps * global_rows)
    index = tf.range(steps)[:, None] * global_rows + offset + tf.range(local_rows)[None, :]
    return tf.gather(full, tf.reshape(index, [-1]))


class GANTrainStep:
    """``train_step`` of WGANGP / WGAN on TensorFlow: nested gradient tapes.

    The fakes of all critic updates come from one generator call (the
    generator does not change during them), and each critic update scores
    interpolates, reals and fakes in one critic call.

    Under ``tf.distribute.MirroredStrategy`` (model built in
    ``strategy.scope()``) each replica takes its part of the batch; the
    losses are weighted by the replica's share of the batch before the
    optimizers sum the gradients, the logs are the global-batch means, and
    the random draws are those of one device (see `_replica_draw`).
    """

    def train_step(self, data):
        from keras_wass.backend._common import real_batch, record_logs

        real = tf.convert_to_tensor(real_batch(data, self))
        batch_size = tf.shape(real)[0]
        steps = self.critic_steps
        critic_vars = self.critic.trainable_variables
        generator_vars = self.generator.trainable_variables
        rows = _replica_rows(batch_size)
        share = rows[2]
        z = _replica_draw(self.sample_latent, steps, batch_size, rows)
        fakes = tf.stop_gradient(tf.cast(self.generator(z, training=True), real.dtype))
        alphas = None
        if self.uses_penalty:
            alphas = _replica_draw(lambda n: self.sample_alpha(fakes, rows=n), steps, batch_size, rows)
        all_logs = []
        for i in range(steps):
            fake = fakes[i * batch_size:(i + 1) * batch_size]
            with tf.GradientTape() as tape:
                with tf.GradientTape() as inner:
                    interpolates = None
                    if self.uses_penalty:
                        alpha = alphas[i * batch_size:(i + 1) * batch_size]
                        interpolates = self.interpolate(real, fake, alpha)
                        inner.watch(interpolates)
                    scores = self.critic(self.critic_inputs(real, fake, interpolates), training=True)
                    mixed_scores, real_scores, fake_scores = self.split_scores(scores, batch_size)
                input_grads = None
                if self.uses_penalty:
                    input_grads = inner.gradient(mixed_scores, interpolates)
                loss, logs = self.critic_objective(real_scores, fake_scores, input_grads)
                loss = loss * share
            self.critic_optimizer.apply(tape.gradient(loss, critic_vars), critic_vars)
            if self.clips_critic:
                values = self.constrain_critic([v.value for v in critic_vars])
                for variable, value in zip(critic_vars, values):
                    variable.assign(value)
            all_logs.append(logs)
        z = _replica_draw(self.sample_latent, 1, batch_size, rows)
        with tf.GradientTape() as tape:
            fake_scores = self.critic(self.generator(z, training=True), training=True)
            generator_loss = self.generator_objective(fake_scores)
            weighted_loss = generator_loss * share
        grads = tape.gradient(weighted_loss, generator_vars)
        self.generator_optimizer.apply(grads, generator_vars)
        record_logs(self, self.mean_logs(all_logs), share)
        record_logs(self, {"generator_loss": generator_loss}, share)
        return self.log_results()

    def test_step(self, data):
        from keras_wass.backend._common import real_batch, record_logs

        real = tf.convert_to_tensor(real_batch(data, self))
        batch_size = tf.shape(real)[0]
        rows = _replica_rows(batch_size)
        z = _replica_draw(self.sample_latent, 1, batch_size, rows)
        fake = tf.cast(self.generator(z, training=False), real.dtype)
        interpolates = None
        with tf.GradientTape() as tape:
            if self.uses_penalty:
                alpha = _replica_draw(lambda n: self.sample_alpha(fake, rows=n), 1, batch_size, rows)
                interpolates = self.interpolate(real, fake, alpha)
                tape.watch(interpolates)
            scores = self.critic(self.critic_inputs(real, fake, interpolates), training=False)
            mixed_scores, real_scores, fake_scores = self.split_scores(scores, batch_size)
        input_grads = tape.gradient(mixed_scores, interpolates) if self.uses_penalty else None
        record_logs(self, self.evaluation_logs(real_scores, fake_scores, input_grads), rows[2])
        return self.log_results()
